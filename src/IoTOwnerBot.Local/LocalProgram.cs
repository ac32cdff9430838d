namespace IoTOwnerBot.Local;

/// <summary>
/// <c>dotnet run --project src/IoTOwnerBot.Local</c>: the service with no Azure needed. When Credentials:Mode is Local
/// (the default) it starts the emulator on loopback and points every Microsoft endpoint at it; otherwise it is the
/// production service unchanged. The same commands (<c>doctor</c>, <c>manifest</c>) work here. (A class, not a static
/// one, so the integration tests can name this entry point.)
/// </summary>
public sealed class LocalProgram
{
    private LocalProgram()
    {
    }

    public static Task Main(string[] args) => Program.RunAsync(args, builder => builder.AddLocalEmulatorWhenNoAzureAsync());
}
