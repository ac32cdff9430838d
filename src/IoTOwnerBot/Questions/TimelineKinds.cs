namespace IoTOwnerBot.Questions;

public static class TimelineKinds
{
    public const string Created = "question.created";
    /// <summary>Whom the bot will ask, and who named them: the incident's first comment.</summary>
    public const string OwnersResolved = "owners.resolved";
    /// <summary>One owner source named owners for some devices (a step of the resolution's trail).</summary>
    public const string OwnerSourceAnswered = "owners.source-answered";
    public const string OwnerSourceEmpty = "owners.source-empty";
    public const string OwnerNotInDirectory = "owners.not-in-directory";
    public const string NoOwner = "owners.none";
    public const string AnswerRecorded = "answer.recorded";
    public const string ResponderRejected = "answer.rejected-responder";
    public const string IncidentUpdated = "incident.updated";
    public const string Cancelled = "question.cancelled";
    public const string Reasked = "question.reasked";
    public const string Expired = "question.expired";
    public const string Reminded = "question.reminded";
    public const string Escalated = "question.escalated";
    /// <summary>A side effect of the question (an incident update, a delivery, a reminder…) failed for good.</summary>
    public const string WorkFailed = "work.failed";
    /// <summary>An incident comment failed for good (on the timeline only: it would be refused as a comment too).</summary>
    public const string CommentFailed = "comment.failed";
}
