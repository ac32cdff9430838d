using IoTOwnerBot.Emulator;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Owners;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
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
    [InlineData("SocThread:CreationTakeOverAfter", "00:00:10", "CreationTakeOverAfter")]
    [InlineData("Owners:Sources", "Fallback, Pigeon", "Owners:Sources: 'Pigeon'")]
    [InlineData("Cloud:ArmEndpoint", "http://management.contoso.example", "Cloud:ArmEndpoint must be an https:// URL")]
    [InlineData("Service:PublicBaseUrl", "https://iotownerbot.contoso.example", "Credentials:Mode is Local")]
    [InlineData("Owners:Sources", "Fallback,Directory,fallback", "Owners:Sources names a source twice")]
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

    [Fact]
    public async Task AListGivenAsOneValue_ReplacesTheListOfAppSettings()
    {
        // appsettings.json names five sources; one value, as an environment variable gives it, names the whole list.
        await using var bot = await BotHost.StartAsync(_emulator, configure: s =>
        {
            s["Owners:Sources"] = "Directory, Fallback";
            s["Sentinel:IoTProductNames"] = "Microsoft Defender for IoT";
            s["Owners:Directory:0:DeviceName"] = "PLC-7";
            s["Owners:Directory:0:Owners"] = "ot.engineering@contoso.example,olivia.brown@contoso.example";
        });

        var owners = bot.Services.GetRequiredService<IOptions<OwnerOptions>>().Value;
        Assert.Equal([OwnerSource.Directory, OwnerSource.Fallback], owners.Sources);
        Assert.Equal(["ot.engineering@contoso.example", "olivia.brown@contoso.example"], Assert.Single(owners.Directory).Owners);
        Assert.Equal(["Microsoft Defender for IoT"], bot.Services.GetRequiredService<IOptions<IoTOwnerBot.Sentinel.SentinelOptions>>().Value.IoTProductNames);
    }

    [Fact]
    public void EnvironmentVariables_CanShortenAList()
    {
        var prefix = $"IOTOWNERBOT_TEST_{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable(prefix + "Owners__Sources", "Fallback");
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Owners:Sources:0"] = "Payload",
                    ["Owners:Sources:1"] = "Fallback",
                    ["Owners:FallbackContacts:0"] = "soc.lead@contoso.example",
                })
                .AddEnvironmentVariables(prefix)
                .Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
            services.AddOptions<OwnerOptions>().BindSettings(OwnerOptions.SectionName);

            var owners = services.BuildServiceProvider().GetRequiredService<IOptions<OwnerOptions>>().Value;

            Assert.Equal([OwnerSource.Fallback], owners.Sources);
            Assert.Equal(["soc.lead@contoso.example"], owners.FallbackContacts);
        }
        finally
        {
            Environment.SetEnvironmentVariable(prefix + "Owners__Sources", null);
        }
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
