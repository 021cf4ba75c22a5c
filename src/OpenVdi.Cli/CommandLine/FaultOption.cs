using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.CommandLine;

/// <summary>The <c>--faults SPEC</c> option: a <see cref="FaultPlan"/> in its command-line form, or a usage error saying what is wrong.</summary>
internal static class FaultOption
{
    /// <summary>Parses the value of <paramref name="option"/>.</summary>
    /// <exception cref="UsageException">The value is not a fault plan, or names no fault.</exception>
    public static FaultPlan Parse(string option, string text)
    {
        FaultPlan plan;
        try
        {
            plan = FaultPlan.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"{option} '{text}': {e.Message}", e);
        }

        return plan.IsEmpty ? throw new UsageException($"{option} '{text}' names no fault (e.g. --faults flush-every=1MiB,delay=2ms)") : plan;
    }
}
