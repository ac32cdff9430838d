using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>The in-memory copy of final questions: only final ones are kept, and what is derived from them is derived once.</summary>
public sealed class DecidedQuestionsTests
{
    private static readonly DateTimeOffset Asked = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("open", false)]
    [InlineData("answered", true)]
    [InlineData("expired", true)]
    [InlineData("cancelled", true)]
    [InlineData("no-owner", true)]
    public void Remember_KeepsOnlyQuestionsThatCannotChange(string state, bool kept)
    {
        var decided = new DecidedQuestions();
        var question = InState(state);

        var returned = decided.Remember(question);

        Assert.Same(question, returned);
        Assert.Equal(kept, decided.Find(question.Id) is not null);
    }

    [Fact]
    public void Remember_TheSameQuestionTwice_KeepsTheFirstInstance()
    {
        var decided = new DecidedQuestions();
        var first = InState("answered");
        var again = InState("answered");
        again.Id = first.Id;

        decided.Remember(first);

        Assert.Same(first, decided.Remember(again));
    }

    [Fact]
    public void Derived_OfAKeptQuestion_IsComputedOncePerKey()
    {
        var decided = new DecidedQuestions();
        var question = decided.Remember(InState("answered"));
        var calls = 0;
        string Render(Question q) => $"card {++calls}";

        Assert.Equal("card 1", decided.Derived(question, "outlook:1", Render));
        Assert.Equal("card 1", decided.Derived(question, "outlook:1", Render));
        Assert.Equal("card 2", decided.Derived(question, "outlook:2", Render));
        Assert.Equal(2, calls);
    }

    [Theory]
    [InlineData("open")]
    [InlineData("not kept")]
    [InlineData("another instance")]
    public void Derived_OfAQuestionThatIsNotTheKeptFinalOne_IsComputedEveryTime(string which)
    {
        var decided = new DecidedQuestions();
        var question = which switch
        {
            "open" => decided.Remember(InState("open")),
            "not kept" => InState("answered"),
            _ => Copy(decided.Remember(InState("answered"))),
        };
        var calls = 0;

        decided.Derived(question, "k", _ => $"{++calls}");
        decided.Derived(question, "k", _ => $"{++calls}");

        Assert.Equal(2, calls);
    }

    [Fact]
    public void WhenFull_TheLeastRecentlyUsedHalfIsDropped()
    {
        var decided = new DecidedQuestions();
        var all = Enumerable.Range(0, DecidedQuestions.Capacity).Select(_ => decided.Remember(InState("answered"))).ToList();
        var used = all[0];
        Assert.NotNull(decided.Find(used.Id)); // the oldest, used again: now among the most recent

        var newest = decided.Remember(InState("answered"));

        Assert.NotNull(decided.Find(newest.Id));
        Assert.NotNull(decided.Find(used.Id));
        Assert.Null(decided.Find(all[1].Id));
        Assert.NotNull(decided.Find(all[^1].Id));
        Assert.InRange(all.Count(q => decided.Find(q.Id) is not null), DecidedQuestions.Capacity / 2 - 1, DecidedQuestions.Capacity / 2 + 1);
    }

    private static Question Copy(Question q)
    {
        var copy = InState("answered");
        copy.Id = q.Id;
        return copy;
    }

    private static Question InState(string state)
    {
        var question = new Question
        {
            Id = Guid.NewGuid(),
            IncidentKey = "/subscriptions/s/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/w/providers/microsoft.securityinsights/incidents/i",
            SubscriptionId = "s", ResourceGroup = "rg", WorkspaceName = "w", IncidentName = "i",
            IncidentTitle = "PLC programming", IncidentSeverity = "Medium",
            Recipients = state == "no-owner" ? [] : [new Recipient { Address = "owner@contoso.example", Mail = "owner@contoso.example" }],
        };
        question.Start(Asked);
        if (state == "no-owner") return question;
        question.ScheduleExpiry(Asked.AddHours(4));
        _ = state switch
        {
            "open" => true,
            "answered" => question.Decide(new AnswerDecision(OwnerAnswer.Expected, "Maria Garcia", "Outlook"), Asked.AddHours(1)),
            "expired" => question.Decide(new ExpireDecision(), Asked.AddHours(4)),
            "cancelled" => question.Decide(new CancelDecision("SOC analyst", null), Asked.AddHours(1)),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
        };
        return question;
    }
}
