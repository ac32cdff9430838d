using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Tests.Security;

/// <summary>
/// What an attack may not change, captured before and compared after: every incident (its etag changes on any
/// update), its comments, every mailbox, and every question (state, version, timeline). Security events are the one
/// allowed change, and a test says how many it expects.
/// </summary>
public sealed record WorldSnapshot(
    IReadOnlyDictionary<string, string> IncidentEtags,
    IReadOnlyDictionary<string, int> Comments,
    IReadOnlyDictionary<string, int> Mailboxes,
    IReadOnlyDictionary<Guid, string> Questions,
    IReadOnlyDictionary<Guid, int> Timelines);

/// <summary>A fresh service and emulator per test, with helpers to prove an attack changed nothing and the process lives.</summary>
public abstract class AttackTest : IntegrationTest
{
    protected async Task<WorldSnapshot> SnapshotAsync()
    {
        await Bot.WaitForIdleAsync();
        var incidents = Emulator.Sentinel.Incidents;
        var questions = await Bot.QueryAsync(db => db.Questions.AsNoTracking().ToListAsync());
        var timelines = await Bot.QueryAsync(db => db.Timeline.GroupBy(t => t.QuestionId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        return new WorldSnapshot(
            incidents.ToDictionary(i => i.Name, i => i.Etag),
            incidents.ToDictionary(i => i.Name, i => Emulator.Sentinel.CommentsOf(i.Name).Count),
            Emulator.Outlook.Mailboxes.ToDictionary(m => m.Address, m => m.MessageCount + m.SentItemCount),
            questions.ToDictionary(q => q.Id, q => $"{q.State}/{q.Version}/{q.Answer}"),
            timelines.ToDictionary(t => t.Key, t => t.Count));
    }

    /// <summary>
    /// Nothing changed, except <paramref name="securityEvents"/> entries on a question's timeline mirrored as incident
    /// comments, and <paramref name="timelineOnly"/> refusals recorded on the timeline alone.
    /// </summary>
    protected async Task AssertUnchangedAsync(WorldSnapshot before, string why, int securityEvents = 0, int timelineOnly = 0)
    {
        var after = await SnapshotAsync();
        Assert.True(before.IncidentEtags.SequenceEqual(after.IncidentEtags), $"{why}: an incident changed");
        Assert.True(before.Mailboxes.SequenceEqual(after.Mailboxes), $"{why}: a mailbox changed");
        Assert.True(before.Questions.SequenceEqual(after.Questions), $"{why}: a question changed");
        Assert.True(before.Comments.Values.Sum() + securityEvents == after.Comments.Values.Sum(),
            $"{why}: expected {securityEvents} security comment(s), got {after.Comments.Values.Sum() - before.Comments.Values.Sum()}");
        Assert.True(before.Timelines.Values.Sum() + securityEvents + timelineOnly == after.Timelines.Values.Sum(),
            $"{why}: expected {securityEvents} security timeline event(s), got {after.Timelines.Values.Sum() - before.Timelines.Values.Sum()}");
        await AssertAliveAsync(why);
    }

    protected async Task AssertAliveAsync(string why)
    {
        using var health = await Bot.Client.GetAsync("healthz");
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"{why}: the service no longer answers /healthz");
        Assert.DoesNotContain(Bot.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error && e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    /// <summary>Raises the PLC sample (owner Klaus Schmidt, by e-mail) and waits until the question is sent.</summary>
    protected async Task<(EmulatorAdmin.RaisedIncident Incident, IoTOwnerBot.Questions.Question Question)> AskKlausAsync()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) response.EnsureSuccessStatusCode();
        var question = await QuestionForAsync(incident.ArmId);
        await Bot.WaitForIdleAsync();
        return (incident, question);
    }

    /// <summary>A JWT with <c>alg: none</c> and the given claims.</summary>
    protected static string UnsignedJwt(JsonObject claims) =>
        $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{Base64UrlEncoder.Encode(claims.ToJsonString())}.";

    /// <summary>
    /// The key-confusion forgery: HS256 "signed" with the issuer's public RSA key (PEM) as the HMAC secret, which a
    /// validator that trusts the token's <c>alg</c> would accept.
    /// </summary>
    protected async Task<string> Hs256WithPublicKeyAsync(string jwksPath, JsonObject claims)
    {
        using var http = new HttpClient { BaseAddress = Emulator.BaseUri };
        var jwks = JsonNode.Parse(await http.GetStringAsync(jwksPath))!;
        var key = jwks["keys"]![0]!;
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = Base64UrlEncoder.DecodeBytes((string)key["n"]!),
            Exponent = Base64UrlEncoder.DecodeBytes((string)key["e"]!),
        });
        var header = Base64UrlEncoder.Encode($$"""{"alg":"HS256","typ":"JWT","kid":"{{(string?)key["kid"]}}"}""");
        var payload = Base64UrlEncoder.Encode(claims.ToJsonString());
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(mac)}";
    }
}
