using IoTOwnerBot.Tests.Cards;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IoTOwnerBot.Tests.Lab;

/// <summary>
/// The local lab's walkthrough in headless Chromium: the page served by the emulator, the real service answering the
/// clicks the emulator signs as Outlook (and Teams) would. Chromium is Debian's (<c>apt-get install chromium</c>,
/// <c>.ci/run</c> does it), driven by Playwright through its executable path; Playwright never downloads a browser.
/// Screenshots go to the test output; with <c>IOTOWNERBOT_WRITE_SCREENSHOTS=1</c> they replace the README's in
/// <c>docs/screenshots/</c>.
/// </summary>
public sealed class LabBrowserTests : IntegrationTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;
    private string _testName = "test";

    protected override void Configure(Dictionary<string, string?> settings)
    {
        // As in local mode: the poller picks up what the lab raises (every 5 s, its shortest interval).
        settings["Sentinel:Poller:Enabled"] = "true";
        settings["Sentinel:Poller:Interval"] = "00:00:05";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // As local mode does: the emulated Teams delivers card clicks to this service's bot endpoint.
        Emulator.Teams.MessagingEndpoint = new Uri(Bot.BaseAddress, "api/messages").AbsoluteUri;
        Emulator.Teams.BotAppId = IoTOwnerBot.Hosting.LocalDefaults.BotAppId;
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            // The flags that keep Chromium quiet on a machine without outside network (see the machine notes).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 900 }, Locale = "en-US", TimezoneId = "UTC" });
        _page.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
    }

    public override async Task DisposeAsync()
    {
        // The page as the test left it: the first thing to look at when a step failed.
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", $"last-{_testName}.png"), FullPage = true });
        await File.WriteAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "screenshots", $"last-{_testName}.log"),
            Bot.Logs.Entries.Where(e => e.Level >= LogLevel.Information && !e.Category.StartsWith("Microsoft.", StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Category}: {e.Message}"));
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Lab_RaiseIncident_AnswerYesInOutlook_ShowsIncidentClosed()
    {
        _testName = "outlook";
        await _page.GotoAsync(Emulator.Base + "lab/");
        await Expect(_page.Locator("[data-sample='ews-scan-detected']")).ToBeVisibleAsync();
        await ScreenshotAsync("1-incidents");

        await _page.Locator("[data-sample='ews-scan-detected'] [data-test=raise]").ClickAsync();
        var incident = _page.Locator("[data-test=incident]");
        await Expect(incident).ToBeVisibleAsync();
        var name = await incident.GetAttributeAsync("data-incident");
        // The bot found the owner and said so on the incident.
        await Expect(_page.Locator("[data-test=comments]")).ToContainTextAsync("maria.garcia");
        await ScreenshotAsync("2-incident-new");

        await _page.Locator("[data-test=owner-inbox]").First.ClickAsync();
        var card = _page.Locator("[data-test=card][data-host=outlook]");
        await Expect(card).ToContainTextAsync("Yes, this is expected");
        await ScreenshotAsync("3-outlook-question");

        await card.GetByRole(AriaRole.Button, new() { Name = "Yes, this is expected" }).ClickAsync();
        await Expect(_page.Locator("[data-test=action-status]")).ToBeVisibleAsync();
        // Outlook swaps in the card the service answered with: no more answer buttons.
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Yes, this is expected" })).ToHaveCountAsync(0);
        await ScreenshotAsync("4-outlook-answered");

        await _page.GotoAsync($"{Emulator.Base}lab/#/incidents/{name}");
        await Expect(incident.Locator("[data-test=status]")).ToHaveTextAsync("Closed");
        await Expect(incident.Locator("[data-test=classification]")).ToContainTextAsync("BenignPositive");
        await Expect(incident.Locator("[data-test=labels]")).ToContainTextAsync("IoT owner: expected");
        await Expect(incident.Locator("[data-test=comments]")).ToContainTextAsync("maria.garcia");
        await ScreenshotAsync("5-incident-closed");

        // What the page shows is what Sentinel holds.
        var details = await Admin.IncidentAsync(name!);
        Assert.Equal("Closed", (string?)details["incident"]!["properties"]!["status"]);
    }

    [Fact]
    public async Task Lab_EmailFails_AnswerNoInTeams_RaisesSeverity()
    {
        _testName = "teams";
        await _page.GotoAsync(Emulator.Base + "lab/");
        // The owner loses her mailbox, so the e-mail cannot be delivered and the bot asks her in Teams.
        await _page.Locator("[data-test=mailbox-user]").SelectOptionAsync("maria.garcia@contoso.example");
        await _page.Locator("[data-test=mailbox-toggle]").ClickAsync();
        await Expect(_page.Locator("[data-test=mailbox-toggle]")).ToHaveTextAsync("Give back mailbox");

        await _page.Locator("[data-sample='ews-scan-detected'] [data-test=raise]").ClickAsync();
        var incident = _page.Locator("[data-test=incident]");
        var name = await incident.GetAttributeAsync("data-incident");
        await Expect(incident.Locator("[data-test=severity]")).ToHaveTextAsync("Low");

        await _page.Locator("[data-test=owner-chat]").First.ClickAsync();
        var card = _page.Locator("[data-test=card][data-host=teams]");
        await Expect(card).ToContainTextAsync("No, this is NOT expected");
        await ScreenshotAsync("6-teams-question");

        await card.GetByRole(AriaRole.Button, new() { Name = "No, this is NOT expected" }).ClickAsync();
        // The bot replaces the card in the chat with the answered one.
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "No, this is NOT expected" })).ToHaveCountAsync(0);
        await ScreenshotAsync("7-teams-answered");

        await _page.GotoAsync($"{Emulator.Base}lab/#/incidents/{name}");
        await Expect(incident.Locator("[data-test=severity]")).ToHaveTextAsync("Medium");
        await Expect(incident.Locator("[data-test=status]")).ToHaveTextAsync("Active");
        await Expect(incident.Locator("[data-test=labels]")).ToContainTextAsync("IoT owner: not expected");
        await Expect(incident.Locator("[data-test=timeline]")).ToContainTextAsync("Teams");
        await ScreenshotAsync("8-incident-not-expected");

        // No e-mail reached her: the answer came through Teams.
        Assert.Empty(Emulator.Outlook.MessagesFor("maria.garcia@contoso.example"));
        var details = await Admin.IncidentAsync(name!);
        Assert.Equal("Medium", (string?)details["incident"]!["properties"]!["severity"]);
    }

    private static string ChromiumPath()
    {
        var path = Environment.GetEnvironmentVariable("IOTOWNERBOT_CHROMIUM") ?? "/usr/bin/chromium";
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException(
                $"The lab's browser test needs Chromium at {path}: apt-get install -y chromium (or set IOTOWNERBOT_CHROMIUM).");
    }

    private async Task ScreenshotAsync(string name)
    {
        var file = $"lab-{name}.png";
        var directory = Environment.GetEnvironmentVariable("IOTOWNERBOT_WRITE_SCREENSHOTS") == "1"
            ? Path.Combine(CardTestSupport.RepoRoot, "docs", "screenshots")
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, file), FullPage = true });
    }
}
