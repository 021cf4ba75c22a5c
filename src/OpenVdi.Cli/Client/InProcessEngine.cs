using OpenVdi.Engine.Execution;

namespace OpenVdi.Cli.Client;

/// <summary>The one place the tool builds the engine that runs in this process (for <c>vdi engine serve</c>).</summary>
internal static class InProcessEngine
{
    /// <summary>The statement engine over the databases of <paramref name="dataDirectory"/>, for the default instance.</summary>
    public static IStatementEngine Create(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        return new StatementEngine(new EngineOptions { DataDirectory = dataDirectory, Instance = null });
    }
}
