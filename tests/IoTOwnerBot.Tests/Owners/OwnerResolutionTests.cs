using System.Net;
using System.Text.Json.Nodes;
using IoTOwnerBot.Owners;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Owners;

public sealed class OwnerResolutionTests : IntegrationTest
{
    private static readonly string[] NoExposure = [];

    [Fact]
    public async Task OwnersInPayload_AreUsedFirst()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, ["payload", "entitiesApi", "logAnalytics"]);

        var question = await AskAsync(incident);

        Assert.NotEmpty(question.Recipients);
        Assert.All(question.Recipients, r => Assert.Equal(OwnerSource.Payload, r.Source));
        Assert.Empty(await Admin.RequestsAsync("/query"));
    }

    [Fact]
    public async Task EntitiesApi_IsUsed_WhenPayloadHasNoOwners()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, ["entitiesApi", "logAnalytics"]);

        var question = await AskAsync(incident);

        Assert.NotEmpty(question.Recipients);
        Assert.All(question.Recipients, r => Assert.Equal(OwnerSource.EntitiesApi, r.Source));
        Assert.Contains(await Admin.RequestsAsync("/entities"), r => r.Path.Contains("preview", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogAnalytics_IsUsed_WhenPayloadAndEntitiesHaveNoOwners()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, ["logAnalytics"]);

        var question = await AskAsync(incident);

        Assert.NotEmpty(question.Recipients);
        Assert.All(question.Recipients, r => Assert.Equal(OwnerSource.LogAnalytics, r.Source));
        Assert.NotEmpty(await Admin.RequestsAsync("/query"));
    }

    [Fact]
    public async Task StaticDirectory_IsUsed_WhenNoSentinelSourceNamesOwners()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, NoExposure);
        await RestartBotAsync(s =>
        {
            s["Owners:Directory:0:DeviceName"] = DeviceName(incident);
            s["Owners:Directory:0:Owners:0"] = "ot.engineering@contoso.example";
            s["Owners:FallbackContacts:0"] = "soc.lead@contoso.example";
        });

        var question = await AskAsync(incident);

        var owner = Assert.Single(question.Recipients);
        Assert.Equal(OwnerSource.Directory, owner.Source);
        Assert.Equal("ot.engineering@contoso.example", owner.Address);
    }

    [Fact]
    public async Task FallbackContact_IsUsed_WhenNoSourceNamesOwners()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, NoExposure);
        await RestartBotAsync(s => s["Owners:FallbackContacts:0"] = "soc.lead@contoso.example");

        var question = await AskAsync(incident);

        var owner = Assert.Single(question.Recipients);
        Assert.Equal(OwnerSource.Fallback, owner.Source);
        // soc.lead has no mailbox in the emulated tenant, so a second comment reports the failed e-mail.
        Assert.Single(await Admin.CommentsAsync(incident.Name), c => c.Contains("fallback", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EarlierSourceWins_OverLaterOnes()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, ["logAnalytics"]);
        await RestartBotAsync(s =>
        {
            s["Owners:Directory:0:DeviceName"] = DeviceName(incident);
            s["Owners:Directory:0:Owners:0"] = "ot.engineering@contoso.example";
        });

        var question = await AskAsync(incident);

        Assert.All(question.Recipients, r => Assert.Equal(OwnerSource.LogAnalytics, r.Source));
        Assert.DoesNotContain(question.Recipients, r => r.Address == "ot.engineering@contoso.example");
    }

    [Fact]
    public async Task DisabledSource_IsSkipped()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        await RestartBotAsync(s =>
        {
            s["Owners:Sources:0"] = "Directory";
            s["Owners:Sources:1"] = null;
            s["Owners:Sources:2"] = null;
            s["Owners:Sources:3"] = null;
            s["Owners:Sources:4"] = null;
            s["Owners:Directory:0:DeviceName"] = DeviceName(incident);
            s["Owners:Directory:0:Owners:0"] = "ot.engineering@contoso.example";
        });

        var question = await AskAsync(incident);

        Assert.Equal(OwnerSource.Directory, Assert.Single(question.Recipients).Source);
    }

    [Fact]
    public async Task AllOwnersOfAllDevices_AreKept_AndLookedUpInTheDirectory()
    {
        var incident = await Admin.RaiseAsync(Samples.TwoDevices);

        var question = await AskAsync(incident);

        Assert.True(question.Devices.Count >= 2, "the sample has two devices");
        Assert.True(question.Recipients.Count >= 3, $"expected every owner of every device, got {question.Recipients.Count}");
        Assert.All(question.Recipients, r =>
        {
            Assert.True(r.FoundInDirectory, $"{r.Address} should be in the emulator's directory");
            Assert.False(string.IsNullOrEmpty(r.ObjectId));
            Assert.False(string.IsNullOrEmpty(r.DisplayName));
        });
        Assert.Contains(question.Recipients, r => r.PreferredLanguage is { Length: > 0 });
        // The devices' addresses come from the Ip entities they refer to.
        Assert.All(question.Devices, d => Assert.False(string.IsNullOrEmpty(d.IpAddress), $"{d.Name} has no IP address"));
    }

    [Theory]
    [InlineData("kim.lee@contoso.example")] // the primary SMTP address, not the UPN
    [InlineData("K.Lee@Contoso.Example")] // an alias, written in another case
    public async Task OwnerNamedByAMailAddressThatIsNotTheirUpn_IsFound_AndTheirClickIsTheirAnswer(string address)
    {
        await Admin.UpsertUserAsync(new
        {
            id = KimId,
            userPrincipalName = "kim.lee@contosoiot.onmicrosoft.example",
            displayName = "Kim Lee",
            mail = "kim.lee@contoso.example",
            proxyAddresses = KimAddresses,
        });
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, NoExposure);
        await RestartBotAsync(s =>
        {
            s["Owners:Directory:0:DeviceName"] = DeviceName(incident);
            s["Owners:Directory:0:Owners:0"] = address;
        });

        var question = await AskAsync(incident);
        var owner = Assert.Single(question.Recipients);
        Assert.True(owner.FoundInDirectory);
        Assert.Equal(KimId, owner.ObjectId);
        await Bot.WaitForIdleAsync();

        // Outlook's click carries the user's object id and UPN, never the address the owner was named by.
        using var outlook = new OutlookClient(Emulator);
        var click = await outlook.ClickAsync("kim.lee@contoso.example", 0, "kim.lee@contosoiot.onmicrosoft.example");
        await Bot.WaitForIdleAsync();

        Assert.Equal(200, click.Status);
        Assert.Contains("closed", click.CardActionStatus, StringComparison.Ordinal);
        var comments = await Admin.CommentsAsync(incident.Name);
        Assert.Contains(comments, c => c.Contains("answered", StringComparison.Ordinal));
        Assert.DoesNotContain(comments, c => c.Contains("not asked", StringComparison.OrdinalIgnoreCase)
                                             || c.Contains("refused", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OwnerAddressNoUserAnswersTo_IsKeptAsAnAddress_AndALookupFilterIsEscaped()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming, NoExposure);
        await RestartBotAsync(s =>
        {
            s["Owners:Directory:0:DeviceName"] = DeviceName(incident);
            s["Owners:Directory:0:Owners:0"] = "o'brien@fabrikam.example";
        });

        var question = await AskAsync(incident);

        var owner = Assert.Single(question.Recipients);
        Assert.False(owner.FoundInDirectory);
        var lookups = await Admin.RequestsAsync("/graph/v1.0/users?");
        Assert.Contains(lookups, r => Uri.UnescapeDataString(r.Path).Contains("mail eq 'o''brien@fabrikam.example'", StringComparison.Ordinal) && r.Status == 200);
        Assert.Contains(lookups, r => Uri.UnescapeDataString(r.Path).Contains("proxyAddresses/any(a:a eq 'smtp:o''brien@fabrikam.example')", StringComparison.Ordinal) && r.Status == 200);
    }

    private const string KimId = "5b7f0c2e-9a41-4f6e-8d3b-2c1a0e9f7d64";
    private static readonly string[] KimAddresses = ["SMTP:kim.lee@contoso.example", "smtp:k.lee@contoso.example"];

    [Fact]
    public void OwnerQuery_EscapesInterpolatedValues()
    {
        var query = LogAnalyticsOwnerSource.OwnerQuery("alert\" or 1==1 //", "PLC \"7\"\\ | take 1");

        Assert.Contains("SystemAlertId == \"alert\\\" or 1==1 //\"", query, StringComparison.Ordinal);
        Assert.Contains("DeviceName == \"PLC \\\"7\\\"\\\\ | take 1\"", query, StringComparison.Ordinal);
    }

    private async Task<Question> AskAsync(EmulatorAdmin.RaisedIncident incident)
    {
        using var response = await PostIncidentAsync(incident.TriggerPayload);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await QuestionForAsync(incident.ArmId);
    }

    private static string DeviceName(EmulatorAdmin.RaisedIncident incident) =>
        incident.TriggerPayload["object"]!["properties"]!["relatedEntities"]!.AsArray()
            .First(e => e!["kind"]!.GetValue<string>() == "IoTDevice")!["properties"]!["deviceName"]!.GetValue<string>();
}
