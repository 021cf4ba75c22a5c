using Microsoft.Extensions.Logging;

namespace OpenVdi.Cli.Output;

/// <summary>How log levels are written: short names in text and JSON, syslog priorities for journald.</summary>
internal static class LogLevels
{
    /// <summary><c>trace</c>, <c>debug</c>, <c>info</c>, <c>warn</c>, <c>error</c>, <c>critical</c>.</summary>
    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "critical",
    };

    /// <summary>The syslog priority (sd-daemon(3)): 7 debug, 6 info, 4 warning, 3 error, 2 critical.</summary>
    public static int SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };
}
