package dev.mnemo.cuda;

/**
 * Grid and block sizes and dynamic shared memory of one kernel launch.
 *
 * @param gridX blocks in x, 1 .. 2³¹−1
 * @param gridY blocks in y, 1 .. 65535
 * @param gridZ blocks in z, 1 .. 65535
 * @param blockX threads per block in x, 1 .. 1024
 * @param blockY threads per block in y, 1 .. 1024
 * @param blockZ threads per block in z, 1 .. 64; blockX·blockY·blockZ ≤ 1024
 * @param sharedMemBytes dynamic shared memory per block, bytes
 */
public record LaunchGeometry(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                             int sharedMemBytes) {

    /** The most blocks in y or z. */
    public static final int MAX_GRID_YZ = 65535;
    /** The most threads in one block (and in x or y). */
    public static final int MAX_BLOCK_THREADS = 1024;
    /** The most threads in z of one block. */
    public static final int MAX_BLOCK_Z = 64;

    /** Validates the sizes (the driver's own message for a zero grid is only "invalid argument"). */
    public LaunchGeometry {
        if (gridX < 1 || gridY < 1 || gridZ < 1) {
            throw new IllegalArgumentException("grid sizes must be >= 1, got (" + gridX + ", " + gridY + ", " + gridZ + ")");
        }
        if (blockX < 1 || blockY < 1 || blockZ < 1) {
            throw new IllegalArgumentException("block sizes must be >= 1, got (" + blockX + ", " + blockY + ", " + blockZ + ")");
        }
        // CUDA's limits on every architecture Mnemo builds for: past them the driver only says "invalid argument"
        if (gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
            throw new IllegalArgumentException("grid sizes in y and z must be <= " + MAX_GRID_YZ + ", got (" + gridX
                    + ", " + gridY + ", " + gridZ + ")");
        }
        if (blockX > MAX_BLOCK_THREADS || blockY > MAX_BLOCK_THREADS || blockZ > MAX_BLOCK_Z
                || (long) blockX * blockY * blockZ > MAX_BLOCK_THREADS) {
            throw new IllegalArgumentException("a block holds at most " + MAX_BLOCK_THREADS + " threads (z at most "
                    + MAX_BLOCK_Z + "), got (" + blockX + ", " + blockY + ", " + blockZ + ")");
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
