using IoTOwnerBot.Emulator;

// Standalone: dotnet run --project src/IoTOwnerBot.Emulator -- --urls http://127.0.0.1:5100 [--raise plc-programming-mode]
await using var emulator = await EmulatorServer.StartAsync(EmulatorSettings.FromArgs(args));
Console.WriteLine(emulator.Describe());
await emulator.WaitForShutdownAsync();
