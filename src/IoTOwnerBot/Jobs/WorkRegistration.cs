namespace IoTOwnerBot.Jobs;

public static class WorkRegistration
{
    /// <summary>
    /// Work of kind <typeparamref name="TWork"/> is run by <typeparamref name="THandler"/> (scoped, one per run). A kind
    /// has one handler and a handler one kind; registering either twice is a programming error.
    /// </summary>
    public static IServiceCollection AddWork<TWork, THandler>(this IServiceCollection services)
        where TWork : IWork
        where THandler : class, IWorkHandler
    {
        var known = services.Where(d => d.ServiceType == typeof(WorkKind)).Select(d => (WorkKind)d.ImplementationInstance!).ToList();
        if (known.FirstOrDefault(k => k.Name == TWork.Kind || k.Handler == typeof(THandler)) is { } taken)
            throw new InvalidOperationException($"Work kind {TWork.Kind} ({typeof(THandler).Name}) clashes with {taken.Name} ({taken.Handler.Name}).");
        services.AddKeyedScoped<IWorkHandler, THandler>(TWork.Kind);
        services.AddSingleton(new WorkKind(TWork.Kind, typeof(TWork), typeof(THandler)));
        return services;
    }
}
