using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Questions;

/// <summary>Durable work: post one comment on an incident under a fixed id.</summary>
public sealed record CommentWork(string IncidentId, Guid CommentId, string Message) : IWork
{
    public static string Kind => "incident.comment";
}
