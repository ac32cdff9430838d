namespace IoTOwnerBot.Incidents;

public sealed record IntakeResult(IntakeStatus Status, Guid? QuestionId);
