namespace IoTOwnerBot.Jobs;

/// <summary>Every kind of durable work the service runs, as registered: one entry per <see cref="WorkRegistration.AddWork{TWork,THandler}"/>.</summary>
public sealed record WorkKind(string Name, Type Work, Type Handler);
