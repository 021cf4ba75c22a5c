using OpenVdi.Engine.Execution;
using OpenVdi.Engine.Faults;

namespace OpenVdi.Cli.Client;

/// <summary>The one place the tool builds the engine that runs in this process (for <c>vdi engine serve</c>).</summary>
internal static class InProcessEngine
{
    /// <summary>
    /// The statement engine over the databases of <paramref name="dataDirectory"/>, for the default instance,
    /// injecting <paramref name="faults"/> (none when null) into every statement's devices.
    /// </summary>
    public static IStatementEngine Create(string dataDirectory, FaultPlan? faults = null, long bufferMemory = EngineOptions.DefaultBufferMemoryLimit)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return new StatementEngine(new EngineOptions { DataDirectory = dataDirectory, Instance = null, Faults = faults ?? FaultPlan.None, BufferMemoryLimit = bufferMemory });
    }
}
