using System.Runtime.CompilerServices;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>Settings of the test process itself, applied before any test runs.</summary>
internal static class TestProcessSettings
{
    /// <summary>
    /// Every host the suite starts (the service in process or as a child process, the emulator) reads its settings once:
    /// with reload on change each one would hold an inotify instance, and a Linux user has 128 of them in all — a suite
    /// that starts hundreds of hosts must not depend on how fast they are given back.
    /// </summary>
    [ModuleInitializer]
    internal static void ReadConfigurationOnce() =>
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
}
