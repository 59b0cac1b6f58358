"""The cost of reading CDK apps in TypeScript: loading tree-sitter, parsing, lowering, extracting.

    python benchmarks/typescript.py [--constructs 4000] [--repeat 5]

times, in fresh interpreters, what importing tree-sitter and its TypeScript grammar (and making
the parser) adds to an interpreter that has mllint-wa's runner loaded; then, in-process, on one
generated stack of ``--constructs`` constructs (buckets with props and lifecycle rules, roles
with statements added after construction, endpoint configurations, constants and template
literals): tree-sitter's parse alone, parse and lowering, and the whole extraction into the
resource model; and the same stack written in Python, read by the Python CDK reader, for
comparison. It prints the minimum and median of each; nothing is timed inside the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mllint_wa.evidence import Evidence
from mllint_wa.evidence.cdk_resources import extract as extract_python
from mllint_wa.evidence.cdk_typescript import extract as extract_typescript
from mllint_wa.evidence.cdk_typescript import lower_typescript
from mllint_wa.parsers.typescript import parse_typescript

TYPESCRIPT = """
    const bucket{n} = new s3.Bucket(this, 'Data{n}', {{
      ...BASE,
      encryption: s3.BucketEncryption.KMS,
      lifecycleRules: [{{ expiration: cdk.Duration.days({n}) }}],
    }});
    const role{n} = new iam.Role(this, 'Role{n}', {{
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    }});
    role{n}.addToPolicy(new iam.PolicyStatement({{
      actions: ['s3:GetObject'],
      resources: [`arn:aws:s3:::${{PREFIX}}-{n}/*`],
    }}));
    new sagemaker.CfnEndpointConfig(this, 'Config{n}', {{
      kmsKeyId: 'alias/ml',
      productionVariants: [{{ variantName: 'All', modelName: 'm{n}', initialInstanceCount: 2,
        instanceType: 'ml.m5.large' }}],
    }});
"""
PYTHON = """
        bucket{n} = s3.Bucket(
            self,
            "Data{n}",
            **BASE,
            encryption=s3.BucketEncryption.KMS,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days({n}))],
        )
        role{n} = iam.Role(
            self, "Role{n}", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com")
        )
        role{n}.add_to_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[f"arn:aws:s3:::{{PREFIX}}-{n}/*"]
        ))
        sagemaker.CfnEndpointConfig(
            self,
            "Config{n}",
            kms_key_id="alias/ml",
            production_variants=[{{"variant_name": "All", "model_name": "m{n}",
                "initial_instance_count": 2, "instance_type": "ml.m5.large"}}],
        )
"""


def typescript_stack(constructs: int) -> str:
    body = "".join(TYPESCRIPT.format(n=n) for n in range(constructs // 4))
    return (
        "import * as cdk from 'aws-cdk-lib';\nimport * as iam from 'aws-cdk-lib/aws-iam';\n"
        "import * as s3 from 'aws-cdk-lib/aws-s3';\n"
        "import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';\n\n"
        "const BASE = { versioned: true };\nconst PREFIX = 'acme';\n\n"
        "export class Big extends cdk.Stack {\n"
        "  constructor(scope: Construct, id: string, props?: cdk.StackProps) {\n"
        f"    super(scope, id, props);\n{body}  }}\n}}\n"
    )


def python_stack(constructs: int) -> str:
    body = "".join(PYTHON.format(n=n) for n in range(constructs // 4))
    return (
        "import aws_cdk as cdk\nfrom aws_cdk import aws_iam as iam, aws_s3 as s3\n"
        "from aws_cdk import aws_sagemaker as sagemaker\n\n"
        'BASE = {"versioned": True}\nPREFIX = "acme"\n\n\n'
        "class Big(cdk.Stack):\n    def __init__(self, scope, construct_id, **kwargs):\n"
        f"        super().__init__(scope, construct_id, **kwargs)\n{body}"
    )


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def import_cost(repeat: int) -> list[float]:
    """What loading tree-sitter, the grammar and the parser adds, in fresh interpreters."""
    probe = (
        "import time\nimport mllint_wa.runner\nstart = time.perf_counter()\n"
        "from mllint_wa.parsers.typescript import _parser\n_parser()\n"
        "print(time.perf_counter() - start)\n"
    )
    return [
        float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(repeat)
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--constructs", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    typescript, python = typescript_stack(args.constructs), python_stack(args.constructs)
    print(
        f"stack of {args.constructs} constructs: TypeScript {len(typescript.encode()) / 1e6:.2f} "
        f"MB, {typescript.count(chr(10))} lines; Python {len(python.encode()) / 1e6:.2f} MB"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "cdk.json").write_text('{"app": "npx ts-node stack.ts"}', encoding="utf-8")
        (root / "stack.ts").write_text(typescript, encoding="utf-8")
        (root / "stack.py").write_text(python, encoding="utf-8")
        files = ("cdk.json", "stack.ts")
        rows = [
            ("import tree-sitter and the grammar, make the parser", import_cost(args.repeat)),
            ("tree-sitter parse", timed(lambda: parse_typescript(typescript), args.repeat)),
            ("parse and lower", timed(lambda: lower_typescript(typescript), args.repeat)),
            (
                "TypeScript: read into the resource model",
                timed(lambda: list(extract_typescript(Evidence(root, files))), args.repeat),
            ),
            (
                "Python, the same stack: read into the resource model",
                timed(lambda: list(extract_python(Evidence(root, ("stack.py",)))), args.repeat),
            ),
        ]
        for label, times in rows:
            print(f"{label:55s} min {min(times):6.3f} s   median {statistics.median(times):6.3f} s")


if __name__ == "__main__":
    main()
