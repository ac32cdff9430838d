namespace IoTOwnerBot.Questions;

public sealed record TimelineView(DateTimeOffset At, string Kind, string Actor, string Message);
