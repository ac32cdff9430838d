using System.Reflection;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Teams;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Tests.Questions;

/// <summary>
/// Which timeline events the SOC sees on the incident: one row per kind in <see cref="TimelinePolicy"/>, every kind
/// constant of the code base has one, and recording an event mirrors it as an incident comment exactly when its row says so.
/// </summary>
public sealed class TimelinePolicyTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EveryKindConstant_HasOneRow_AndEveryRowIsAKind()
    {
        var classes = typeof(Question).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: true, IsSealed: true } && (t.Name == nameof(TimelineKinds) || t.Name.EndsWith("Timeline", StringComparison.Ordinal)))
            .ToList();
        Assert.Equal([nameof(DigestTimeline), nameof(OutlookTimeline), nameof(SocThreadTimeline), nameof(TeamsTimeline), nameof(TimelineKinds)],
            classes.Select(t => t.Name).Order(StringComparer.Ordinal));

        var kinds = classes
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.Equal(kinds.Count, kinds.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(kinds.Order(StringComparer.Ordinal), TimelinePolicy.MirroredAsComment.Keys.Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, bool> Policy => new()
    {
        // kind, mirrored as an incident comment
        { TimelineKinds.Created, false },
        { TimelineKinds.OwnerSourceAnswered, false },
        { TimelineKinds.OwnerSourceEmpty, false },
        { TimelineKinds.OwnerNotInDirectory, false },
        { TimelineKinds.OwnersResolved, true },
        { TimelineKinds.NoOwner, true },
        { TimelineKinds.AnswerRecorded, false },
        { TimelineKinds.Expired, false },
        { TimelineKinds.IncidentUpdated, false },
        { TimelineKinds.Cancelled, true },
        { TimelineKinds.Reasked, true },
        { TimelineKinds.Reminded, true },
        { TimelineKinds.Escalated, true },
        { TimelineKinds.ResponderRejected, true },
        { OutlookTimeline.TokenRejected, false },
        { SocThreadTimeline.ActionRejected, true },
        { TimelineKinds.WorkFailed, true },
        { TimelineKinds.CommentFailed, false },
        { OutlookTimeline.DeliverySent, true },
        { OutlookTimeline.DeliverySentInDigest, false },
        { OutlookTimeline.DeliveryFailed, true },
        { DigestTimeline.Planned, false },
        { TeamsTimeline.Sent, true },
        { TeamsTimeline.Failed, true },
        { TeamsTimeline.Planned, false },
        { TeamsTimeline.FallbackScheduled, false },
        { TeamsTimeline.AppInstalled, false },
        { TeamsTimeline.CardUpdated, false },
        { TeamsTimeline.Uncertain, false },
    };

    [Theory]
    [MemberData(nameof(Policy))]
    public void Record_MirrorsAnEventAsAnIncidentComment_ExactlyWhenItsKindSaysSo(string kind, bool mirrored)
    {
        using var db = Store();
        var question = NewQuestion();

        var ev = new QuestionTimeline(db, []).Record(question, kind, QuestionService.Actor, "What happened.", At);

        Assert.Same(ev, Assert.Single(question.Timeline));
        Assert.Equal(kind, ev.Kind);
        var comments = db.WorkItems.Local.Where(w => w.Kind == CommentWork.Kind).ToList();
        if (!mirrored)
        {
            Assert.Null(ev.CommentId);
            Assert.Empty(comments);
            return;
        }
        var item = Assert.Single(comments);
        var work = item.ReadPayload<CommentWork>();
        Assert.Equal(ev.CommentId, work.CommentId);
        Assert.Equal("What happened.", work.Message);
        Assert.Equal(QuestionTimeline.CommentLane(question.Id), item.Lane);
    }

    [Fact]
    public void Record_AMirroredEventOfOneFact_IsCommentedUnderTheFactsCommentId()
    {
        using var db = Store();
        var question = NewQuestion();
        var fixedId = Guid.NewGuid();

        var ev = new QuestionTimeline(db, []).Record(question, OutlookTimeline.DeliverySent, QuestionService.Actor, "E-mailed.", At, fixedId);

        Assert.Equal(fixedId, ev.CommentId);
        Assert.Equal($"comment:{fixedId:D}", Assert.Single(db.WorkItems.Local).DedupeKey);
    }

    [Fact]
    public void Record_AKindWithoutARow_IsRefused_AndNothingIsRecorded()
    {
        using var db = Store();
        var question = NewQuestion();
        var observer = new CountingObserver();

        Assert.Throws<ArgumentException>(() => new QuestionTimeline(db, [observer]).Record(question, "delivery.pigeon-sent", QuestionService.Actor, "Coo.", At));

        Assert.Empty(question.Timeline);
        Assert.Empty(db.WorkItems.Local);
        Assert.Equal(0, observer.Count);
    }

    [Fact]
    public void Record_TellsEveryTimelineObserver_OfEveryEvent()
    {
        using var db = Store();
        var question = NewQuestion();
        var (first, second) = (new CountingObserver(), new CountingObserver());
        var timeline = new QuestionTimeline(db, [first, second]);

        timeline.Record(question, TimelineKinds.Created, QuestionService.Actor, "Created.", At);
        timeline.Record(question, TimelineKinds.Cancelled, "SOC", "Cancelled.", At);

        Assert.Equal(2, first.Count);
        Assert.Equal(2, second.Count);
    }

    private sealed class CountingObserver : ITimelineObserver
    {
        public int Count { get; private set; }
        public void Recorded(Question question, TimelineEvent ev) => Count++;
    }

    /// <summary>A store that is never opened: recording only adds to the unit of work.</summary>
    private static SqliteBotDbContext Store() =>
        new(new DbContextOptionsBuilder<SqliteBotDbContext>().UseSqlite("Data Source=:memory:").Options);

    private static Question NewQuestion() => new()
    {
        Id = Guid.NewGuid(),
        IncidentKey = "/subscriptions/s/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/ws/providers/microsoft.securityinsights/incidents/i",
        SubscriptionId = "s",
        ResourceGroup = "rg",
        WorkspaceName = "ws",
        IncidentName = "i",
        IncidentTitle = "PLC programming",
        IncidentSeverity = "High",
    };
}
