namespace IoTOwnerBot.Local;

/// <summary>
/// <c>dotnet run --project src/IoTOwnerBot.Local</c>: the service with no Azure needed. When Credentials:Mode is Local
/// (the default) it starts the emulator on loopback and points every Microsoft endpoint at it; otherwise it is the
/// production service unchanged. The same commands (<c>doctor</c>, <c>manifest</c>) work here.
/// </summary>
internal static class LocalProgram
{
    public static Task Main(string[] args) => Program.RunAsync(args, builder => builder.AddLocalEmulatorWhenNoAzureAsync());
}
