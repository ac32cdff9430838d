namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>
/// Tests that run the service (or dotnet publish) as separate processes. They run one after another, so the crash test's
/// kill lands in the work it means to interrupt rather than in a machine busy with other processes.
/// </summary>
[CollectionDefinition(Name)]
[LongRun]
public sealed class ServiceProcesses
{
    public const string Name = "Service processes";
}
