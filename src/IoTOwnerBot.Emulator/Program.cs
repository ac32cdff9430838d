namespace IoTOwnerBot.Emulator;

/// <summary>
/// Standalone: <c>dotnet run --project src/IoTOwnerBot.Emulator -- --urls http://127.0.0.1:5100 [--raise plc-programming-mode]</c>.
/// An explicit entry point (not top-level statements) so the service's <c>Program</c> stays the only one tests see.
/// </summary>
internal static class EmulatorProgram
{
    public static async Task Main(string[] args)
    {
        await using var emulator = await EmulatorServer.StartAsync(EmulatorSettings.FromArgs(args));
        Console.WriteLine(emulator.Describe());
        await emulator.WaitForShutdownAsync();
    }
}
