using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("IoTOwnerBot.Tests.Infrastructure.LongRunsFirst", "IoTOwnerBot.Tests")]

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>
/// Marks a test class, or a collection definition, whose tests run for minutes (storms, chaos, several service
/// processes): <see cref="LongRunsFirst"/> starts it before the rest, so the suite does not end waiting on it alone.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LongRunAttribute : Attribute;

/// <summary>
/// Starts the collections marked <see cref="LongRunAttribute"/> first and keeps the runner's order otherwise: with a few
/// test threads, a long collection started last is the whole suite's tail.
/// </summary>
public sealed class LongRunsFirst : ITestCollectionOrderer
{
    private const string PerClassPrefix = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => IsLong(c) ? 0 : 1);

    private static bool IsLong(ITestCollection collection)
    {
        var name = collection.CollectionDefinition?.Name
                   ?? (collection.DisplayName.StartsWith(PerClassPrefix, StringComparison.Ordinal) ? collection.DisplayName[PerClassPrefix.Length..] : null);
        var type = name is null ? null : typeof(LongRunsFirst).Assembly.GetType(name);
        return type?.IsDefined(typeof(LongRunAttribute), inherit: false) == true;
    }
}
