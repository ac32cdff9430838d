using IoTOwnerBot.Hosting;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Questions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Outlook;

/// <summary>
/// The card's limited-purpose token as the click endpoint reads it: what is refused, and why, for tokens that are not
/// exactly what the service issued. The click endpoint's own tests cover the same refusals end to end.
/// </summary>
public sealed class ActionTokensTests
{
    private static readonly Guid Question = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly ActionTokens _tokens;

    public ActionTokensTests()
    {
        var options = new OutlookOptions
        {
            ActionTokenKeys =
            [
                new ActionTokenKey { Id = "k2", Secret = "second-test-key-0123456789abcdef0123456789" },
                new ActionTokenKey { Id = "k1", Secret = "first-test-key-0123456789abcdef0123456789" },
            ],
        };
        _tokens = new ActionTokens(new Fixed<OutlookOptions>(options), _clock);
    }

    [Fact]
    public void IssuedToken_IsValid_AndSaysWhatItAllows()
    {
        var token = _tokens.Issue(Question, "klaus.schmidt@contoso.example", OwnerAnswer.NotExpected);
        Assert.Equal(ActionTokenError.None, _tokens.Validate(token, out var grant));
        Assert.Equal(Question, grant!.QuestionId);
        Assert.Equal("klaus.schmidt@contoso.example", grant.Recipient);
        Assert.Equal(OwnerAnswer.NotExpected, grant.Answer);
    }

    [Theory]
    [InlineData(null, ActionTokenError.Malformed)]
    [InlineData("", ActionTokenError.Malformed)]
    [InlineData("k2.only-two", ActionTokenError.Malformed)]
    [InlineData("k2..mac", ActionTokenError.Malformed)]
    [InlineData(".body.mac", ActionTokenError.Malformed)]
    [InlineData("k2.body.", ActionTokenError.Malformed)]
    [InlineData("k2.body.mac.extra", ActionTokenError.Malformed)]
    [InlineData("k9.body.mac", ActionTokenError.UnknownKey)]
    public void NotATokenOfOurs_IsRefused(string? token, ActionTokenError expected) =>
        Assert.Equal(expected, _tokens.Validate(token, out _));

    [Theory]
    [InlineData("padding", ActionTokenError.Malformed)]
    [InlineData("whitespace", ActionTokenError.Malformed)]
    [InlineData("standard-base64", ActionTokenError.Malformed)]
    [InlineData("other-mac", ActionTokenError.BadSignature)]
    [InlineData("other-body", ActionTokenError.BadSignature)]
    [InlineData("other-key", ActionTokenError.BadSignature)]
    [InlineData("too-long", ActionTokenError.Malformed)]
    public void AlteredToken_IsRefused(string alteration, ActionTokenError expected)
    {
        var token = _tokens.Issue(Question, "klaus.schmidt@contoso.example", OwnerAnswer.Expected);
        var other = _tokens.Issue(Guid.NewGuid(), "klaus.schmidt@contoso.example", OwnerAnswer.Expected);
        var (id, body, mac) = Parts(token);
        var altered = alteration switch
        {
            "padding" => $"{id}.{body}.{mac}=",
            "whitespace" => $"{id}.{body}.{mac[..10]} {mac[10..]}",
            "standard-base64" => $"{id}.{body}.{mac.Replace('-', '+').Replace('_', '/')}+",
            "other-mac" => $"{id}.{body}.{Parts(other).Mac}",
            "other-body" => $"{id}.{Parts(other).Body}.{mac}",
            "other-key" => $"k1.{body}.{mac}",
            "too-long" => $"{id}.{body}{new string('A', 2048)}.{mac}",
            _ => throw new ArgumentOutOfRangeException(nameof(alteration)),
        };
        Assert.Equal(expected, _tokens.Validate(altered, out var grant));
        Assert.Null(grant);
    }

    [Fact]
    public void DigestToken_IsNotAQuestionToken_NorTheOtherWayRound()
    {
        var digest = _tokens.IssueDigest(Question, "klaus.schmidt@contoso.example", "yes");
        var question = _tokens.Issue(Question, "klaus.schmidt@contoso.example", OwnerAnswer.Expected);
        Assert.Equal(ActionTokenError.BadSignature, _tokens.Validate(digest, out _));
        Assert.Equal(ActionTokenError.BadSignature, _tokens.ValidateDigest(question, out _));
    }

    [Fact]
    public void ExpiredToken_IsStillReadAsAuthentic_ButExpired()
    {
        var token = _tokens.Issue(Question, "klaus.schmidt@contoso.example", OwnerAnswer.Expected, _clock.GetUtcNow().AddMinutes(1));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ActionTokenError.Expired, _tokens.Validate(token, out var grant));
        Assert.Equal(Question, grant!.QuestionId);
    }

    [Theory]
    [InlineData("https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/", true)]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", true)]
    [InlineData("https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", false)]
    [InlineData("https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", false)]
    [InlineData("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/", false)]
    [InlineData("https://sts.windows.net/00000000-0000-0000-0000-000000000000/", false)]
    [InlineData("https://sts.windows.net.evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/", false)]
    [InlineData("HTTPS://STS.WINDOWS.NET/72f988bf-86f1-41af-91ab-2d7cd011db47/", false)]
    [InlineData(null, false)]
    public void EntraIssuer_IsExactlyTheTenantsV1OrV2Issuer(string? issuer, bool expected)
    {
        const string tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        var cloud = new CloudOptions { EntraV1IssuerBase = "https://sts.windows.net/", EntraV2IssuerBase = "https://login.microsoftonline.com" };
        Assert.Equal(expected, cloud.IsEntraIssuer(issuer, tenant));
        // The one format: what the JWT validation is configured with is what the claim check accepts.
        Assert.True(cloud.IsEntraIssuer(cloud.V1Issuer(tenant), tenant));
        Assert.True(cloud.IsEntraIssuer(cloud.V2Issuer(tenant), tenant));
    }

    private static (string Id, string Body, string Mac) Parts(string token)
    {
        var parts = token.Split('.');
        return (parts[0], parts[1], parts[2]);
    }

    private sealed class Fixed<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
