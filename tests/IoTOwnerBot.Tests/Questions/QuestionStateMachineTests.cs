using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>The question aggregate's transitions: which decision each state takes, and what it becomes.</summary>
public sealed class QuestionStateMachineTests
{
    private static readonly DateTimeOffset Asked = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Deadline = Asked.AddHours(4);

    public static TheoryData<string, string, QuestionState?> Transitions => new()
    {
        // from, decision, to (null: refused, nothing changes)
        { "open", "answer", QuestionState.Answered },
        { "open", "cancel", QuestionState.Cancelled },
        { "open", "expire-early", null },
        { "open", "expire", QuestionState.Expired },
        { "answered", "answer", null },
        { "answered", "cancel", null },
        { "answered", "expire", null },
        { "expired", "answer", null },
        { "expired", "cancel", null },
        { "cancelled", "answer", null },
        { "cancelled", "expire", null },
        { "no-owner", "answer", null },
        { "no-owner", "cancel", null },
        { "no-owner", "expire", null },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Decide_TakesOnlyTheDecisionsItsStateAllows(string from, string decision, QuestionState? to)
    {
        var question = InState(from);
        var (state, version, updated) = (question.State, question.Version, question.UpdatedAt);
        var at = decision == "expire-early" ? Deadline.AddMinutes(-1) : Deadline.AddMinutes(5);

        var taken = question.Decide(Decision(decision), at);

        Assert.Equal(to is not null, taken);
        Assert.Equal(to ?? state, question.State);
        Assert.Equal(taken ? version + 1 : version, question.Version);
        Assert.Equal(taken ? at : updated, question.UpdatedAt);
    }

    [Fact]
    public void Answer_RecordsWhoAnsweredWhereAndWhen()
    {
        var question = InState("open");
        var at = Asked.AddMinutes(12);

        Assert.True(question.Decide(new AnswerDecision(OwnerAnswer.NotExpected, "Maria Garcia", "Teams"), at));

        Assert.Equal(OwnerAnswer.NotExpected, question.Answer);
        Assert.Equal("Maria Garcia", question.AnsweredBy);
        Assert.Equal("Teams", question.AnswerChannel);
        Assert.Equal(at, question.AnsweredAt);
    }

    [Fact]
    public void LateAnswer_DoesNotOverwriteTheFirst()
    {
        var question = InState("open");
        question.Decide(new AnswerDecision(OwnerAnswer.Expected, "Maria Garcia", "Outlook"), Asked.AddMinutes(1));

        Assert.False(question.Decide(new AnswerDecision(OwnerAnswer.NotExpected, "Klaus Schmidt", "Teams"), Asked.AddMinutes(2)));

        Assert.Equal(OwnerAnswer.Expected, question.Answer);
        Assert.Equal("Maria Garcia", question.AnsweredBy);
    }

    [Theory]
    [InlineData("open", false)]
    [InlineData("answered", true)]
    [InlineData("expired", true)]
    [InlineData("cancelled", true)]
    [InlineData("no-owner", false)]
    public void NextRound_OnlyAfterADecision_AndOnlyWithOwners(string from, bool allowed)
    {
        var question = InState(from);
        var at = Deadline.AddHours(1);

        var next = question.NextRound(at);

        Assert.Equal(allowed, next is not null);
        if (next is null) return;
        Assert.Equal(question.Round + 1, next.Round);
        Assert.NotEqual(question.Id, next.Id);
        Assert.Equal(question.IncidentKey, next.IncidentKey);
        Assert.Equal(QuestionState.Open, next.State);
        Assert.Null(next.Answer);
        Assert.Equal(at, next.CreatedAt);
        Assert.Equal(question.Recipients.Select(r => r.Address), next.Recipients.Select(r => r.Address));
        Assert.Equal(question.Devices.Select(d => d.Name), next.Devices.Select(d => d.Name));
        Assert.DoesNotContain(next.Recipients, r => question.Recipients.Contains(r));
    }

    [Fact]
    public void Start_WithoutOwners_IsTheSocsQuestion_AndHasNoDeadline()
    {
        var question = New(owners: 0);
        question.Start(Asked);

        Assert.Equal(QuestionState.NoOwner, question.State);
        Assert.Throws<InvalidOperationException>(() => question.ScheduleExpiry(Deadline));
    }

    private static QuestionDecision Decision(string name) => name switch
    {
        "answer" => new AnswerDecision(OwnerAnswer.Expected, "Maria Garcia", "Outlook"),
        "cancel" => new CancelDecision("SOC analyst", "handled by phone"),
        "expire" or "expire-early" => new ExpireDecision(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static Question InState(string state)
    {
        var question = New(owners: state == "no-owner" ? 0 : 1);
        question.Start(Asked);
        if (state == "no-owner") return question;
        question.ScheduleExpiry(Deadline);
        var at = Asked.AddHours(1);
        var decided = state switch
        {
            "open" => true,
            "answered" => question.Decide(new AnswerDecision(OwnerAnswer.Expected, "Maria Garcia", "Outlook"), at),
            "expired" => question.Decide(new ExpireDecision(), Deadline),
            "cancelled" => question.Decide(new CancelDecision("SOC analyst", null), at),
            _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
        };
        Assert.True(decided);
        return question;
    }

    private static Question New(int owners) => new()
    {
        Id = Guid.NewGuid(),
        IncidentKey = "/subscriptions/s/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/w/providers/microsoft.securityinsights/incidents/i",
        SubscriptionId = "s", ResourceGroup = "rg", WorkspaceName = "w", IncidentName = "i",
        IncidentTitle = "PLC programming", IncidentSeverity = "Medium",
        Devices = [new QuestionDevice { Name = "HOU-PLC-01" }],
        Recipients = Enumerable.Range(0, owners)
            .Select(i => new Recipient { Address = $"owner{i}@contoso.example", Mail = $"owner{i}@contoso.example", DeviceNames = ["HOU-PLC-01"] })
            .ToList(),
    };
}
