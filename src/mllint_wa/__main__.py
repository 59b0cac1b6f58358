from mllint_wa.cli import run_program

run_program()
