using System.Net;
using IoTOwnerBot.Tests.Infrastructure;

namespace IoTOwnerBot.Tests.Security;

/// <summary><c>/healthz</c> and <c>/readyz</c>: GET and HEAD only, no body read, nothing changed.</summary>
public sealed class HealthAttackTests : AttackTest
{
    public static TheoryData<string, string, HttpStatusCode> Calls => new()
    {
        { "GET", "healthz", HttpStatusCode.OK },
        { "HEAD", "healthz", HttpStatusCode.OK },
        { "GET", "readyz", HttpStatusCode.OK },
        { "HEAD", "readyz", HttpStatusCode.OK },
        { "POST", "healthz", HttpStatusCode.MethodNotAllowed },
        { "PUT", "healthz", HttpStatusCode.MethodNotAllowed },
        { "DELETE", "healthz", HttpStatusCode.MethodNotAllowed },
        { "PATCH", "readyz", HttpStatusCode.MethodNotAllowed },
        { "POST", "readyz", HttpStatusCode.MethodNotAllowed },
        { "OPTIONS", "readyz", HttpStatusCode.MethodNotAllowed },
        { "TRACE", "healthz", HttpStatusCode.MethodNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task OnlyGetAndHead_AreServed(string method, string path, HttpStatusCode status)
    {
        var before = await SnapshotAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent(new string('x', 100_000));

        using var response = await Bot.Client.SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        await AssertUnchangedAsync(before, $"{method} /{path}");
    }
}
