using System.Net;
using System.Net.Http.Json;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>Graph: directory users, manager and mailbox settings, and sendMail into the emulated mailboxes.</summary>
public sealed class GraphEmulatorTests : EmulatorTest
{
    [Fact]
    public async Task GraphUser_ByUpnWithSelect_ReturnsOnlySelectedFields()
    {
        var user = await GetJsonAsync("graph/v1.0/users/klaus.schmidt@contoso.example?$select=id,mail,preferredLanguage", GraphToken());

        Assert.Equal("bbcfbdc4-8b2b-40c9-8642-823e8a73b9ba", (string?)user["id"]);
        Assert.Equal("de-DE", (string?)user["preferredLanguage"]);
        Assert.False(user.ContainsKey("displayName"));
    }

    [Fact]
    public async Task GraphUser_Unknown_Returns404RequestResourceNotFound()
    {
        var response = await SendAsync(HttpMethod.Get, "graph/v1.0/users/nobody@contoso.example", GraphToken());

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "Request_ResourceNotFound");
    }

    [Fact]
    public async Task GraphManagerAndMailboxSettings_ReturnDirectoryData()
    {
        var manager = await GetJsonAsync("graph/v1.0/users/sophie.martin@contoso.example/manager", GraphToken());
        var settings = await GetJsonAsync("graph/v1.0/users/sophie.martin@contoso.example/mailboxSettings", GraphToken());

        Assert.Equal("claire.dubois@contoso.example", (string?)manager["userPrincipalName"]);
        Assert.Equal("Romance Standard Time", (string?)settings["timeZone"]);
    }

    [Fact]
    public async Task GraphSendMail_DeliversToRecipientMailboxAndSendersSentItems()
    {
        var response = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), new
        {
            message = new
            {
                subject = "Action required: was this expected?",
                body = new { contentType = "HTML", content = "<html><body><p>Hello Klaus</p></body></html>" },
                toRecipients = new[] { new { emailAddress = new { address = "Klaus.Schmidt@contoso.example" } } },
                internetMessageHeaders = new[] { new { name = "x-iotownerbot-question", value = "q-1" } },
            },
            saveToSentItems = true,
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var received = Assert.Single(Server.Outlook.MessagesFor("klaus.schmidt@contoso.example"));
        Assert.Equal("Action required: was this expected?", received.Subject);
        Assert.Equal("iotownerbot@contoso.example", received.From.Address);
        Assert.Contains("Hello Klaus", received.Body, StringComparison.Ordinal);
        Assert.Contains(received.InternetMessageHeaders, h => h.Name == "x-iotownerbot-question" && h.Value == "q-1");
        Assert.Single(Server.Outlook.GetMailbox("iotownerbot@contoso.example").SentItems);
        var viaAdmin = await GetJsonAsync("admin/mailboxes/klaus.schmidt@contoso.example");
        Assert.Equal("Action required: was this expected?", (string?)viaAdmin["messages"]![0]!["subject"]);
    }

    [Fact]
    public async Task GraphSendMail_ToUserWithoutMailbox_Returns400AndDeliversNothing()
    {
        var response = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), new
        {
            message = new
            {
                subject = "s",
                body = new { contentType = "Text", content = "b" },
                toRecipients = new[]
                {
                    new { emailAddress = new { address = "emily.johnson@contoso.example" } },
                    new { emailAddress = new { address = "david.miller@contoso.example" } },
                },
            },
        });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ErrorInvalidRecipients");
        Assert.Empty(Server.Outlook.MessagesFor("emily.johnson@contoso.example"));
    }

    [Fact]
    public async Task GraphSendMail_FromUserWhoseMailboxWasRemoved_Returns404MailboxNotEnabled()
    {
        var removed = await Http.PostAsJsonAsync("admin/users", new { userPrincipalName = "iotownerbot@contoso.example", mail = (string?)null });
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);

        var response = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), new
        {
            message = new { subject = "s", toRecipients = new[] { new { emailAddress = new { address = "klaus.schmidt@contoso.example" } } } },
        });

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "MailboxNotEnabledForRESTAPI");
        Assert.Equal("IoT Owner Bot", Server.Tenant.FindUser("iotownerbot@contoso.example")!.DisplayName);
    }
}
