namespace IoTOwnerBot.Hosting;

/// <summary>
/// A service of the caller's scope, resolved when first used: for what a request needs only on its rare paths (a
/// digest click, a refused click, a first answer), so the common path — a click on a decided question — does not
/// build them.
/// </summary>
public sealed class Deferred<T>(IServiceProvider services) where T : notnull
{
    private T? _value;

    public T Value => _value ??= services.GetRequiredService<T>();
}
