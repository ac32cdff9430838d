using IoTOwnerBot.Emulator;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Hosting;

public sealed class ConfigurationTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;

    public async Task InitializeAsync() => _emulator = await EmulatorServer.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Theory]
    [InlineData("Sentinel:Workspaces:0:WorkspaceId", "law-soc-sentinel", "Sentinel:Workspaces:0:WorkspaceId")]
    [InlineData("Sentinel:Workspaces:0:SubscriptionId", "not-a-guid", "Sentinel:Workspaces:0:SubscriptionId")]
    [InlineData("Credentials:Mode", "ClientSecret", "Credentials:ClientSecret")]
    [InlineData("Owners:LogAnalyticsTimespan", "30 days", "Owners:LogAnalyticsTimespan")]
    [InlineData("Intake:HmacSecrets:0", "short", "Intake:HmacSecrets")]
    [InlineData("Cloud:ArmEndpoint", "not a url", "ArmEndpoint")]
    [InlineData("Jobs:Concurrency", "0", "Concurrency")]
    [InlineData("Bot:AppId", "not-a-guid", "Bot:AppId")]
    [InlineData("Delivery:Mode", "Pigeon", "Delivery")]
    [InlineData("SocThread:Enabled", "true", "SocThread:ChannelId")]
    public async Task BadSetting_StopsTheService_NamingTheKey(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var bot = await BotHost.StartAsync(_emulator, configure: s => s[key] = value);
        });

        Assert.Contains(named, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRepositorysAppSettings_StartTheService()
    {
        // The test host loads the root appsettings.json (copied beside the binaries) beneath the test settings.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));
        await using var bot = await BotHost.StartAsync(_emulator);

        using var health = await bot.Client.GetAsync("readyz");

        Assert.True(health.IsSuccessStatusCode);
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
