/**
 * Spectra of recurrent weight matrices: per-gate-block summaries (spectral radius, |λ| histogram,
 * memory time constants, singular values), a tracker that snapshots them during training to CSV,
 * and PNG pictures. See reference/eigen.md.
 */
package dev.mnemo.nn.analysis;
