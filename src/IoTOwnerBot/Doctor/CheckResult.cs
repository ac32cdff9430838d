namespace IoTOwnerBot.Doctor;

/// <summary>One line of the checklist. A failed optional check is shown but does not fail the run.</summary>
public sealed record CheckResult(string Name, bool Passed, string Detail, string? Fix = null, bool Required = true)
{
    public static CheckResult Pass(string name, string detail) => new(name, true, detail);
    public static CheckResult Fail(string name, string detail, string fix, bool required = true) => new(name, false, detail, fix, required);

    public string Line => Passed
        ? $"✔ {Name}: {Detail}"
        : $"✗ {Name}: {Detail}{(Required ? "" : " (optional)")}" + (Fix is null ? "" : $"\n    Fix: {Fix}");
}
