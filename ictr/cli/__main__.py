from ictr.cli.main import run

run()
