package dev.mnemo.cuda;

/**
 * Grid and block sizes and dynamic shared memory of one kernel launch.
 *
 * @param gridX blocks in x, 1 .. 2³¹−1
 * @param gridY blocks in y, 1 .. 65535
 * @param gridZ blocks in z, 1 .. 65535
 * @param blockX threads per block in x
 * @param blockY threads per block in y
 * @param blockZ threads per block in z
 * @param sharedMemBytes dynamic shared memory per block, bytes
 */
public record LaunchGeometry(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                             int sharedMemBytes) {

    /** Validates the sizes (the driver's own message for a zero grid is only "invalid argument"). */
    public LaunchGeometry {
        if (gridX < 1 || gridY < 1 || gridZ < 1) {
            throw new IllegalArgumentException("grid sizes must be >= 1, got (" + gridX + ", " + gridY + ", " + gridZ + ")");
        }
        if (blockX < 1 || blockY < 1 || blockZ < 1) {
            throw new IllegalArgumentException("block sizes must be >= 1, got (" + blockX + ", " + blockY + ", " + blockZ + ")");
        }
        if (sharedMemBytes < 0) {
            throw new IllegalArgumentException("sharedMemBytes must be >= 0, got " + sharedMemBytes);
        }
    }

    /** A one-dimensional launch without dynamic shared memory. */
    public static LaunchGeometry linear(long grid, int block) {
        if (grid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("grid must be <= " + Integer.MAX_VALUE + ", got " + grid);
        }
        return new LaunchGeometry((int) grid, 1, 1, block, 1, 1, 0);
    }

    /** Total threads launched. */
    public long threads() {
        return (long) gridX * gridY * gridZ * blockX * blockY * blockZ;
    }
}
