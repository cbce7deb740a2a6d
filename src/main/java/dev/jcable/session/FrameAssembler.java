package dev.jcable.session;

/** A connection's text message in parts, as the container hands them over (one part at a time, per connection). */
final class FrameAssembler {

    private StringBuilder partial;
    private boolean partialTooLarge;

    /**
     * Joins the parts of a fragmented text message. Returns the whole frame when {@code last},
     * {@link CableSession#TOO_LARGE} when it exceeded {@code max} characters (the parts are discarded as they come, so memory stays bounded), or
     * null while incomplete.
     */
    String assemble(String part, boolean last, int max) {
        if (partial == null && last) {
            return part.length() > max ? CableSession.TOO_LARGE : part;
        }
        if (!partialTooLarge) {
            if (partial == null) {
                partial = new StringBuilder(part.length() * 2);
            }
            if (partial.length() + part.length() > max) {
                partialTooLarge = true;
                partial.setLength(0);
            } else {
                partial.append(part);
            }
        }
        if (!last) {
            return null;
        }
        String frame = partialTooLarge ? CableSession.TOO_LARGE : partial.toString();
        partial = null;
        partialTooLarge = false;
        return frame;
    }
}
