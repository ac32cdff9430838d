namespace IoTOwnerBot.Questions;

public sealed record LifecycleResult(LifecycleStatus Status, Question? Question);
