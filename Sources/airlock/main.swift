import AirlockRuntime

FrontDoor.main()
