using IoTOwnerBot.Emulator;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Outlook;

/// <summary>A misconfigured Outlook channel stops the service and names the key.</summary>
public sealed class OutlookConfigurationTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;

    public async Task InitializeAsync() => _emulator = await EmulatorServer.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Theory]
    [InlineData("Outlook:SenderMailbox", "", "Outlook:SenderMailbox")]
    [InlineData("Outlook:RequiredScope", "", "Outlook:RequiredScope")]
    [InlineData("Outlook:ClientId", "not-a-guid", "Outlook:ClientId")]
    [InlineData("Outlook:AllowedTenants:0", "contoso", "Outlook:AllowedTenants")]
    [InlineData("Outlook:ActionTokenKeys:0:Secret", "too-short-for-hmac", "Outlook:ActionTokenKeys:0:Secret")]
    [InlineData("Outlook:ActionTokenKeys:0:Id", "a.b", "Outlook:ActionTokenKeys:0:Id")]
    [InlineData("Outlook:ActionTokenLifetime", "30.00:00:00", "Outlook:ActionTokenLifetime")]
    [InlineData("Outlook:MessagesPerMinute", "31", "Outlook:MessagesPerMinute")]
    [InlineData("Outlook:RecipientsPerDay", "10001", "Outlook:RecipientsPerDay")]
    [InlineData("Outlook:ReservedRecipients", "10000", "Outlook:ReservedRecipients")]
    [InlineData("Outlook:MailboxConcurrency", "5", "Outlook:MailboxConcurrency")]
    [InlineData("Outlook:SenderMailboxes:0", " ", "Outlook:SenderMailboxes:0")]
    [InlineData("Outlook:BlockedSenderRetry", "00:00:10", "Outlook:BlockedSenderRetry")]
    public async Task BadOutlookSetting_StopsTheService_NamingTheKey(string key, string value, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var bot = await BotHost.StartAsync(_emulator, configure: s => s[key] = value);
        });

        Assert.Contains(named, Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideLocalMode_WithoutActionTokenKeys_TheServiceRefusesToStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var bot = await BotHost.StartAsync(_emulator, configure: s =>
            {
                s["Credentials:Mode"] = "ManagedIdentity";
                s.Remove("Outlook:ActionTokenKeys:0:Id");
                s.Remove("Outlook:ActionTokenKeys:0:Secret");
            });
        });

        Assert.Contains("Outlook:ActionTokenKeys", Flatten(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalMode_WithoutActionTokenKeys_StartsWithAnEphemeralKey()
    {
        await using var bot = await BotHost.StartAsync(_emulator, configure: s =>
        {
            s.Remove("Outlook:ActionTokenKeys:0:Id");
            s.Remove("Outlook:ActionTokenKeys:0:Secret");
        });

        using var health = await bot.Client.GetAsync("readyz");

        Assert.True(health.IsSuccessStatusCode);
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
