using System.Globalization;
using System.Text;
using OpenVdi.Engine.FrontDoor.Internal;

namespace OpenVdi.Engine.FrontDoor;

/// <summary>Where the engine daemon listens unless told otherwise, and the rules a socket path must meet.</summary>
public static class EngineSocketPath
{
    /// <summary>The socket's file name in the default directory.</summary>
    public const string FileName = "engine.sock";

    /// <summary>The longest socket path, in UTF-8 bytes (the kernel's <c>sun_path</c> holds 108 with the NUL).</summary>
    public const int MaxPathBytes = 107;

    /// <summary>
    /// The default socket path for this user: <c>$XDG_RUNTIME_DIR/openvdi/engine.sock</c> when
    /// <c>XDG_RUNTIME_DIR</c> names an existing directory, else <c>/tmp/openvdi-&lt;uid&gt;/engine.sock</c>.
    /// </summary>
    public static string Default => For(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR"), UnixNative.EffectiveUserId());

    /// <summary>The default socket path for a runtime directory and a user id.</summary>
    /// <param name="runtimeDirectory">The value of <c>XDG_RUNTIME_DIR</c>, or null.</param>
    /// <param name="userId">The user id.</param>
    /// <returns>The path.</returns>
    public static string For(string? runtimeDirectory, uint userId) =>
        !string.IsNullOrEmpty(runtimeDirectory) && Path.IsPathFullyQualified(runtimeDirectory) && Directory.Exists(runtimeDirectory)
            ? Path.Combine(runtimeDirectory, "openvdi", FileName)
            : Path.Combine("/tmp", string.Create(CultureInfo.InvariantCulture, $"openvdi-{userId}"), FileName);

    /// <summary>The full path for <paramref name="socketPath"/>, or the default when it is null or empty.</summary>
    /// <param name="socketPath">A path given by the user, or null.</param>
    /// <returns>A full path.</returns>
    /// <exception cref="ArgumentException">The path is longer than <see cref="MaxPathBytes"/> UTF-8 bytes.</exception>
    public static string Resolve(string? socketPath)
    {
        string path = Path.GetFullPath(string.IsNullOrEmpty(socketPath) ? Default : socketPath);
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The socket path '{path}' is longer than the {MaxPathBytes} bytes a Unix socket address holds; choose a shorter one."),
                nameof(socketPath));
        }

        return path;
    }
}
