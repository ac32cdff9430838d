using IoTOwnerBot.Cards;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>The one projection of a question onto what every view shows.</summary>
public sealed class QuestionCardsTests
{
    private static readonly DateTimeOffset Asked = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("open", null, CardKind.OwnerClosed, "open")]
    [InlineData("answered-outlook", CardOutcomeKind.Answered, CardKind.OwnerAnswered, "answered")]
    [InlineData("answered-teams", CardOutcomeKind.Answered, CardKind.OwnerAnswered, "answered")]
    [InlineData("expired", CardOutcomeKind.Expired, CardKind.OwnerExpired, "expired")]
    [InlineData("cancelled", CardOutcomeKind.Cancelled, CardKind.OwnerClosed, "cancelled")]
    [InlineData("no-owner", null, CardKind.OwnerClosed, "cancelled")]
    public void EveryViewShowsTheSameOutcome(string state, CardOutcomeKind? outcome, CardKind card, string name)
    {
        var question = InState(state);

        var shown = QuestionCards.Outcome(question);

        Assert.Equal(outcome, shown?.Kind);
        Assert.Equal(card, QuestionCards.OutcomeCard(question));
        Assert.Equal(name, QuestionCards.StateName(question.State));
        if (shown is not { Kind: CardOutcomeKind.Answered }) return;
        Assert.Equal("no", shown.Answer);
        Assert.Equal("Maria Garcia", shown.By);
        Assert.Equal(Asked.AddMinutes(7), shown.At);
        Assert.Equal(state == "answered-teams" ? CardChannel.Teams : CardChannel.Email, shown.Channel);
    }

    [Theory]
    [InlineData("yes", OwnerAnswer.Expected)]
    [InlineData("YES", OwnerAnswer.Expected)]
    [InlineData("no", OwnerAnswer.NotExpected)]
    [InlineData("No", OwnerAnswer.NotExpected)]
    [InlineData("maybe", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void CallbackAnswers_AreTheNamesTheCardsUse(string? name, OwnerAnswer? answer)
    {
        Assert.Equal(answer, QuestionCards.ParseAnswer(name));
        if (answer is { } a) Assert.Equal(name!.ToLowerInvariant(), QuestionCards.AnswerName(a));
    }

    [Theory]
    [InlineData("High", "High")]
    [InlineData("medium", "Medium")]
    [InlineData(" Low ", "Low")]
    [InlineData("informational", "Informational")]
    [InlineData("Unknown", null)]
    [InlineData(null, null)]
    public void Severities_AreSentinelsSpelling(string? severity, string? expected)
    {
        Assert.Equal(expected, IncidentSeverities.Find(severity));
        Assert.Equal(expected ?? "Informational", QuestionCards.Severity(severity ?? ""));
    }

    private static Question InState(string state)
    {
        var question = new Question
        {
            Id = Guid.NewGuid(), IncidentKey = "incident", SubscriptionId = "s", ResourceGroup = "rg", WorkspaceName = "w", IncidentName = "i",
            IncidentTitle = "PLC programming", IncidentSeverity = "Medium",
            Recipients = state == "no-owner" ? [] : [new Recipient { Address = "maria.garcia@contoso.example" }],
        };
        question.Start(Asked);
        if (state == "no-owner") return question;
        question.ScheduleExpiry(Asked.AddHours(4));
        var at = Asked.AddMinutes(7);
        _ = state switch
        {
            "answered-outlook" => question.Decide(new AnswerDecision(OwnerAnswer.NotExpected, "Maria Garcia", AnswerChannels.Outlook), at),
            "answered-teams" => question.Decide(new AnswerDecision(OwnerAnswer.NotExpected, "Maria Garcia", AnswerChannels.Teams), at),
            "expired" => question.Decide(new ExpireDecision(), Asked.AddHours(4)),
            "cancelled" => question.Decide(new CancelDecision("SOC analyst", null), at),
            _ => true,
        };
        return question;
    }
}
