using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>Who may answer a question: its recipients (by object id first), the one a card is bound to, and configured delegates.</summary>
public sealed class MayAnswerTests
{
    private const string MariaOid = "11111111-1111-1111-1111-111111111111";
    private const string KlausOid = "22222222-2222-2222-2222-222222222222";
    private const string HansOid = "33333333-3333-3333-3333-333333333333";

    public static TheoryData<string, string?, string?, string?, bool> Cases => new()
    {
        // case, responder object id, responder UPN, card bound to, may answer
        { "recipient by object id", MariaOid, "maria.garcia@contoso.example", null, true },
        { "object id decides over a matching UPN", HansOid, "maria.garcia@contoso.example", null, false },
        { "recipient without object id in the token, by UPN", null, "MARIA.GARCIA@contoso.example ", null, true },
        { "owner the directory did not know, by address", HansOid, "ext.vendor@partner.example", null, true },
        { "stranger", HansOid, "hans.weber@contoso.example", null, false },
        { "no identity at all", null, null, null, false },
        { "card bound to this recipient by object id", KlausOid, "klaus.schmidt@contoso.example", KlausOid, true },
        { "card bound to this recipient by address", KlausOid, "klaus.schmidt@contoso.example", "Klaus.Schmidt@contoso.example", true },
        { "card bound to another recipient", MariaOid, "maria.garcia@contoso.example", KlausOid, false },
        { "delegate of the recipient the card is bound to", "44444444-4444-4444-4444-444444444444", "deputy@contoso.example", KlausOid, true },
        { "delegate, card not bound", null, "deputy@contoso.example", null, true },
        { "delegate of another recipient", "44444444-4444-4444-4444-444444444444", "deputy@contoso.example", MariaOid, false },
        { "delegate of an owner who is not a recipient", null, "other.deputy@contoso.example", null, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MayAnswer(string @case, string? objectId, string? upn, string? boundTo, bool allowed)
    {
        var responder = new Responder(objectId, upn, "tenant", @case);

        Assert.Equal(allowed, AnswerService.MayAnswer(Question, responder, boundTo, Delegates));
    }

    private static readonly List<DelegateEntry> Delegates =
    [
        new() { Owner = "klaus.schmidt@contoso.example", Delegates = ["deputy@contoso.example"] },
        new() { Owner = "nobody@contoso.example", Delegates = ["other.deputy@contoso.example"] },
    ];

    private static readonly Question Question = new()
    {
        Id = Guid.NewGuid(),
        IncidentKey = "incident", SubscriptionId = "s", ResourceGroup = "rg", WorkspaceName = "w", IncidentName = "i",
        IncidentTitle = "PLC programming", IncidentSeverity = "Medium",
        Recipients =
        [
            new Recipient
            {
                Address = "maria.garcia@contoso.example", FoundInDirectory = true, ObjectId = MariaOid,
                UserPrincipalName = "maria.garcia@contoso.example", Mail = "maria.garcia@contoso.example",
            },
            new Recipient
            {
                Address = "klaus.schmidt@contoso.example", FoundInDirectory = true, ObjectId = KlausOid,
                UserPrincipalName = "klaus.schmidt@contoso.example", Mail = "klaus.schmidt@contoso.example",
            },
            new Recipient { Address = "ext.vendor@partner.example", Mail = "ext.vendor@partner.example" },
        ],
    };
}
