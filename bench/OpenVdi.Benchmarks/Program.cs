using BenchmarkDotNet.Running;

namespace OpenVdi.Benchmarks;

/// <summary>Runs the benchmarks picked by the command line (e.g. <c>--filter '*' --job short</c>).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
