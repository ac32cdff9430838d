using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Incidents;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Tests.Incidents;

public sealed class IntakeTests : IntegrationTest
{
    [Fact]
    public async Task TriggerPayload_CreatesOneQuestion_AndCommentNamingOwners()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);

        using var response = await PostIncidentAsync(incident.TriggerPayload);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var question = await QuestionForAsync(incident.ArmId);
        Assert.Equal(QuestionState.Open, question.State);
        Assert.NotEmpty(question.Recipients);
        Assert.All(question.Recipients, r => Assert.Equal(OwnerSource.Payload, r.Source));
        var comment = CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
        Assert.Contains("will ask", comment, StringComparison.Ordinal);
        Assert.All(question.Recipients, r => Assert.Contains(r.Mail ?? r.Address, comment, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task BareIncidentId_CreatesOneQuestion()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);

        using var response = await PostIncidentAsync(BareId(incident.ArmId));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var question = await QuestionForAsync(incident.ArmId);
        Assert.NotEmpty(question.Devices);
        Assert.NotEmpty(question.Recipients);
        Assert.Equal(1, await QuestionCountAsync());
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task SameIncidentPostedFiveTimes_GivesOneQuestionAndOneComment()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);

        var statuses = new List<HttpStatusCode>();
        foreach (var body in new JsonNode[] { incident.TriggerPayload, incident.TriggerPayload, BareId(incident.ArmId), incident.TriggerPayload, BareId(incident.ArmId.ToUpperInvariant().Replace("/SUBSCRIPTIONS/", "/subscriptions/", StringComparison.Ordinal)) })
        {
            using var response = await PostIncidentAsync(body.DeepClone());
            statuses.Add(response.StatusCode);
        }
        await QuestionForAsync(incident.ArmId);
        await Bot.WaitForIdleAsync();

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Accepted or HttpStatusCode.OK, $"unexpected {s}"));
        Assert.Equal(1, await QuestionCountAsync());
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task ConcurrentPostsOfOneIncident_GiveOneQuestion()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostIncidentAsync(incident.TriggerPayload.DeepClone())));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        await QuestionForAsync(incident.ArmId);
        Assert.Equal(1, await QuestionCountAsync());
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
        // The posts that lost the race are normal traffic: nothing an operator's alerting would fire on.
        Assert.DoesNotContain(Bot.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task NonIoTIncident_IsIgnored_WithALogLine()
    {
        var incident = await Admin.RaiseAsync(Samples.NonIoT);

        using var response = await PostIncidentAsync(incident.TriggerPayload);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Bot.WaitForIdleAsync();

        Assert.Equal(0, await QuestionCountAsync());
        Assert.Empty(await Admin.CommentsAsync(incident.Name));
        Assert.Contains(Bot.Logs.Entries, e => e.EventId == 1501 && e.Message.Contains(incident.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task IncidentWithoutOwner_GetsCommentThatTheSocMustHandleIt()
    {
        var incident = await Admin.RaiseAsync(Samples.NoOwner);

        using var response = await PostIncidentAsync(incident.TriggerPayload);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var question = await QuestionForAsync(incident.ArmId);
        Assert.Equal(QuestionState.NoOwner, question.State);
        Assert.Empty(question.Recipients);
        var comment = CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
        Assert.Contains("SOC must handle", comment, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "not json", "{\"incidentId\":" },
        { "array", "[]" },
        { "empty object", "{}" },
        { "id that is not an ARM id", "{\"incidentId\":\"12345\"}" },
        { "id of another resource type", "{\"incidentId\":\"/subscriptions/3f6c1a52-8d4e-4b7a-9c21-5e0d7f8a9b10/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1\"}" },
        { "object without id", "{\"object\":{\"properties\":{}}}" },
        { "not an incident", "{\"objectSchemaType\":\"Alert\",\"object\":{\"id\":\"/subscriptions/3f6c1a52-8d4e-4b7a-9c21-5e0d7f8a9b10/resourceGroups/rg-soc-sentinel/providers/Microsoft.OperationalInsights/workspaces/law-soc-sentinel/providers/Microsoft.SecurityInsights/Incidents/abc\"}}" },
        { "unknown workspace", "{\"incidentId\":\"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/other/providers/Microsoft.OperationalInsights/workspaces/other-ws/providers/Microsoft.SecurityInsights/incidents/abc\"}" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadBody_Gets400ProblemDetails_AndCreatesNothing(string why, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", IntakeToken());

        using var response = await Bot.Client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: got {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.False(string.IsNullOrWhiteSpace(problem!["detail"]?.GetValue<string>()), why);
        Assert.Equal(0, await WorkCountAsync());
    }

    [Fact]
    public async Task OversizedBody_Gets413_AndCreatesNothing()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        incident.TriggerPayload["padding"] = new string('x', 1024 * 1024 + 1);

        using var response = await PostIncidentAsync(incident.TriggerPayload);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await WorkCountAsync());
    }

    public static TheoryData<string> BadTokens => new()
    {
        "none", "garbage", "wrong-audience", "expired", "unknown-key", "alg-none", "other-tenant",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadOrMissingToken_Gets401ProblemDetails_AndCreatesNothing(string kind)
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        var token = kind switch
        {
            "none" => null,
            "garbage" => "not-a-jwt",
            "wrong-audience" => IntakeToken(t => t with { Audience = "api://someone-else" }),
            "expired" => IntakeToken(t => t with { LifetimeSeconds = -600 }),
            "unknown-key" => IntakeToken(t => t with { Signing = TokenSigning.UnknownKey }),
            "alg-none" => IntakeToken(t => t with { Signing = TokenSigning.None }),
            "other-tenant" => IntakeToken(t => t with { TenantId = "11111111-2222-4333-8444-555555555555" }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await PostIncidentAsync(incident.TriggerPayload, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, await WorkCountAsync());
    }

    [Fact]
    public async Task V1Token_IsAccepted()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);

        using var response = await PostIncidentAsync(incident.TriggerPayload, IntakeToken(t => t with { Version = "1.0" }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task HmacSignedBody_IsAccepted()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);

        using var response = await PostSignedAsync(incident.TriggerPayload.ToJsonString(), TestSecrets.IntakeHmacSecret, DateTimeOffset.UtcNow);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await QuestionForAsync(incident.ArmId);
    }

    [Theory]
    [InlineData("wrong secret")]
    [InlineData("stale timestamp")]
    [InlineData("body changed after signing")]
    public async Task BadHmacSignature_Gets401_AndCreatesNothing(string why)
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        var body = incident.TriggerPayload.ToJsonString();

        using var response = why switch
        {
            "wrong secret" => await PostSignedAsync(body, "another-secret-that-is-long-enough-0123", DateTimeOffset.UtcNow),
            "stale timestamp" => await PostSignedAsync(body, TestSecrets.IntakeHmacSecret, DateTimeOffset.UtcNow.AddMinutes(-30)),
            _ => await PostSignedAsync(body, TestSecrets.IntakeHmacSecret, DateTimeOffset.UtcNow, tamper: true),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, await WorkCountAsync());
    }

    private async Task<HttpResponseMessage> PostSignedAsync(string body, string secret, DateTimeOffset at, bool tamper = false)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents")
        {
            Content = new StringContent(tamper ? body.Replace("\"New\"", "\"Active\"", StringComparison.Ordinal) + " " : body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(HmacAuthenticationHandler.SignatureHeader, $"sha256={signature}");
        request.Headers.Add(HmacAuthenticationHandler.TimestampHeader, timestamp);
        return await Bot.Client.SendAsync(request);
    }
}
