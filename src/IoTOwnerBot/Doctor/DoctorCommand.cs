using System.Text;

namespace IoTOwnerBot.Doctor;

/// <summary>
/// The preflight doctor: <c>doctor</c> checks this instance's configuration against the real services, without
/// side effects (reads and token requests only), prints one line per check, ✔ or ✗ with the fix, and exits non-zero
/// when a required check fails. It runs on the built service, so it sees exactly the configuration the service would.
/// </summary>
public static class DoctorCommand
{
    /// <summary>
    /// With <c>doctor</c> as the first argument, runs the checks instead of the service and sets the exit code.
    /// </summary>
    /// <returns>True when the doctor ran (the caller returns without starting the service).</returns>
    public static async Task<bool> RunDoctorWhenAskedAsync(this WebApplication app, string[] args)
    {
        if (args is not ["doctor", ..]) return false;
        Console.OutputEncoding = Encoding.UTF8;
        var results = await new DoctorChecks(app.Services).RunAsync(CancellationToken.None);
        Environment.ExitCode = Print(results, Console.Out);
        return true;
    }

    /// <summary>Writes the checklist and a summary; returns the exit code (1 when a required check failed).</summary>
    public static int Print(IReadOnlyList<CheckResult> results, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine("IoTOwnerBot doctor");
        foreach (var result in results) output.WriteLine(result.Line);
        var failedRequired = results.Count(r => !r.Passed && r.Required);
        var failedOptional = results.Count(r => !r.Passed && !r.Required);
        output.WriteLine(failedRequired == 0
            ? $"Ready: all {results.Count(r => r.Required)} required checks passed" + (failedOptional > 0 ? $" ({failedOptional} optional not)." : ".")
            : $"Not ready: {failedRequired} required check(s) failed; fix them and run the doctor again.");
        return failedRequired == 0 ? 0 : 1;
    }
}
