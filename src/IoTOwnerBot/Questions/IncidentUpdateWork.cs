using IoTOwnerBot.Jobs;

namespace IoTOwnerBot.Questions;

/// <summary>Durable work: apply a recorded answer to the incident and comment on it under a fixed id.</summary>
public sealed record IncidentUpdateWork(Guid QuestionId, Guid CommentId) : IWork
{
    public static string Kind => "incident.update";
}
