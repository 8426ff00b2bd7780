from pml.cli.app import main

main()
