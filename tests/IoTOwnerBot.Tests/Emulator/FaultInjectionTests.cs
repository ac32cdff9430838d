using System.Net;
using System.Net.Http.Json;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>Injected faults: how many requests they hit, their answers, and act-first faults that carry the request out.</summary>
public sealed class FaultInjectionTests : EmulatorTest
{
    [Fact]
    public async Task Fault429_HitsOnlyTheFirstNMatchingRequests_WithRetryAfter()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var url = $"arm{Server.Workspace.IncidentId(incident)}/comments/c1?api-version={Stable}";
        var added = await Http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = "/comments/", status = 429, retryAfterSeconds = 1, times = 2 });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var body = new { properties = new { message = "m" } };

        var get = await SendAsync(HttpMethod.Get, $"arm{Server.Workspace.IncidentId(incident)}/comments?api-version={Stable}", ArmToken());
        var first = await SendAsync(HttpMethod.Put, url, ArmToken(), body);
        var second = await SendAsync(HttpMethod.Put, url, ArmToken(), body);
        var third = await SendAsync(HttpMethod.Put, url, ArmToken(), body);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        await AssertErrorAsync(first, (HttpStatusCode)429, "TooManyRequests");
        Assert.Equal(TimeSpan.FromSeconds(1), first.Headers.RetryAfter?.Delta);
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        var rule = Assert.Single(Server.Faults.Rules);
        Assert.Equal((0, 2), (rule.Remaining, rule.Hits));
        Assert.Equal([429, 429, 201], Server.Journal.Requests("/comments/c1").Select(r => r.Status));
    }

    [Fact]
    public async Task Fault409OnIncidentPut_AnswersWithSentinelConflictBody()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await Http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = incident, status = 409 });

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new { properties = new { title = "t", severity = "Low", status = "Active" } });

        var message = await AssertErrorAsync(response, HttpStatusCode.Conflict, "Conflict");
        Assert.StartsWith("Newer version of resource '/subscriptions/", message, StringComparison.Ordinal);
        Assert.Equal("New", Server.Sentinel.FindIncident(incident)!.Properties.Status);
    }

    [Fact]
    public async Task ActFirstFault_SendsTheMail_ThenAnswers503()
    {
        await Http.PostAsJsonAsync("admin/faults", new { method = "POST", pathContains = "/sendMail", status = 503, actFirst = true });

        var failed = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), Mail("first"));
        var next = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), Mail("second"));

        await AssertErrorAsync(failed, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        // The failed call was carried out all the same.
        Assert.Equal(["first", "second"], Server.Outlook.MessagesFor("klaus.schmidt@contoso.example").Select(m => m.Subject));
        Assert.Equal(2, Server.Outlook.GetMailbox("iotownerbot@contoso.example").SentItems.Count);
    }

    [Fact]
    public async Task ActFirstDropFault_WritesTheComment_ThenDropsTheConnection()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await Http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = "/comments/", drop = true, actFirst = true });
        var url = $"arm{Server.Workspace.IncidentId(incident)}/comments/c1?api-version={Stable}";

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendAsync(HttpMethod.Put, url, ArmToken(), new { properties = new { message = "written" } }));

        Assert.Equal("written", Assert.Single(Server.Sentinel.CommentsOf(incident)).Properties.Message);
    }

    [Fact]
    public async Task DropFault_WithoutActFirst_DropsTheConnectionAndChangesNothing()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await Http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = "/comments/", drop = true });
        var url = $"arm{Server.Workspace.IncidentId(incident)}/comments/c1?api-version={Stable}";

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendAsync(HttpMethod.Put, url, ArmToken(), new { properties = new { message = "lost" } }));

        Assert.Empty(Server.Sentinel.CommentsOf(incident));
    }

    [Fact]
    public async Task ActFirstFault_OnIncidentPut_AppliesTheChange_ThenAnswers500()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await Http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = incident, status = 500, actFirst = true });

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new { properties = new { title = "t", severity = "Low", status = "Active" } });

        await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "InternalServerError");
        Assert.Equal("Active", Server.Sentinel.FindIncident(incident)!.Properties.Status);
    }

    [Fact]
    public async Task FaultWithStatusAndDrop_IsRefused()
    {
        var response = await Http.PostAsJsonAsync("admin/faults", new { pathContains = "/graph/", status = 503, drop = true });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Empty(Server.Faults.Rules);
    }

    private static object Mail(string subject) => new
    {
        message = new
        {
            subject,
            body = new { contentType = "HTML", content = "<html><body><p>Hello Klaus</p></body></html>" },
            toRecipients = new[] { new { emailAddress = new { address = "klaus.schmidt@contoso.example" } } },
        },
        saveToSentItems = true,
    };
}
