from mllint_wa.cli import main

main()
