using System.Globalization;

namespace OpenVdi.Engine.FrontDoor;

/// <summary>
/// Who may use the engine daemon: the user the daemon runs as, and, when a group is configured, the members of that
/// group (by primary or supplementary group). Everyone else is refused, root included: running statements as the
/// engine is the same power as running the engine, and the daemon gives it only to those it was started for.
/// </summary>
/// <param name="OwnerUserId">The user the daemon serves (its own effective user id).</param>
/// <param name="GroupId">A group whose members may also connect, or null for the owner only.</param>
/// <param name="GroupName">The group's name, for messages; null to print the id.</param>
public sealed record PeerPolicy(uint OwnerUserId, uint? GroupId = null, string? GroupName = null)
{
    /// <summary>Decides whether <paramref name="peer"/> may use the daemon.</summary>
    /// <param name="peer">The peer's credentials, from <see cref="PeerCredentials.Of"/>.</param>
    /// <returns>The decision, with a sentence that says why.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    public PeerDecision Decide(PeerCredentials peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.UserId == OwnerUserId)
        {
            return new PeerDecision(true, "the same user as the engine");
        }

        if (GroupId is { } gid && peer.IsInGroup(gid))
        {
            return new PeerDecision(true, $"a member of group {GroupText}");
        }

        string allowed = GroupId is null
            ? string.Create(CultureInfo.InvariantCulture, $"uid {OwnerUserId} only")
            : string.Create(CultureInfo.InvariantCulture, $"uid {OwnerUserId} and members of group {GroupText} only");
        return new PeerDecision(false, string.Create(CultureInfo.InvariantCulture,
            $"Permission denied: this OpenVdi engine serves {allowed}; the connection came from uid {peer.UserId} (gid {peer.GroupId}, pid {peer.ProcessId})."));
    }

    private string GroupText => GroupName is null
        ? string.Create(CultureInfo.InvariantCulture, $"{GroupId}")
        : string.Create(CultureInfo.InvariantCulture, $"'{GroupName}' (gid {GroupId})");
}
