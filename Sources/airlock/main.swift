import AirlockCLI
AirlockCommand.main()
