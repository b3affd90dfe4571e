/* SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "scaler-plot-layer"

#include "config.h"

#include <math.h>
#include <string.h>

#include "scaler-plot-layer.h"

/* Device rows [a, b) of the layer; empty when !(a < b). */
typedef struct
{
  double a;
  double b;
} Span;

typedef struct
{
  double x0, y0, x1, y1;
} Box;

/* The half-unit columns under one device column, and their share of it. */
#define MAX_PARTS 8

typedef struct
{
  const Span *line;
  const Span *fill;
  double      weight;
} Part;

/* Rows [r0, r1) of a column get one pixel value. */
typedef struct
{
  int     r0, r1;
  guint32 pixel;
} Run;

#define MAX_RUNS (MAX_PARTS * 8 + 1)

/* What decides a column's runs: share, line span and fill span per part. */
typedef struct
{
  guint  n;
  double v[MAX_PARTS * 5];
} ColumnKey;

struct _ScalerPlotLayer
{
  cairo_t         *cr;            /* borrowed */
  double           x, y, width, height;
  double           scale;
  gboolean         vector;

  /* Raster: the current series per half-unit column, then the image. */
  guint            n_sub;
  Span            *line;
  Span            *fill;
  guint            sub_lo, sub_hi; /* the columns the current series touched */
  guint            n_drawn;        /* series already in the image */
  ColumnKey        prev_key;       /* the previous column's, and its runs */
  Run              prev_runs[MAX_RUNS];
  guint            n_prev_runs;
  cairo_surface_t *surface;
  guint32         *pixels;
  int              stride;         /* in pixels */
  int              pw, ph;

  /* Vector: the boxes of the current series. */
  GArray          *line_boxes;
  GArray          *fill_boxes;
};

ScalerPlotLayer *
scaler_plot_layer_new (cairo_t  *cr,
                       double    x,
                       double    y,
                       double    width,
                       double    height,
                       double    scale,
                       gboolean  vector)
{
  ScalerPlotLayer *self;

  g_return_val_if_fail (cr != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  self = g_new0 (ScalerPlotLayer, 1);
  self->cr = cr;
  self->x = x;
  self->y = y;
  self->width = width;
  self->height = height;
  self->scale = CLAMP (scale, 1.0, 8.0);
  self->vector = vector;

  if (vector)
    {
      self->line_boxes = g_array_new (FALSE, FALSE, sizeof (Box));
      self->fill_boxes = g_array_new (FALSE, FALSE, sizeof (Box));
    }
  else
    {
      self->n_sub = (guint) ceil (width * 2);
      self->line = g_new0 (Span, self->n_sub);
      self->fill = g_new0 (Span, self->n_sub);
      self->sub_lo = self->n_sub;
      self->sub_hi = 0;
      self->pw = (int) ceil (width * self->scale);
      self->ph = (int) ceil (height * self->scale);
    }

  return self;
}

void
scaler_plot_layer_free (ScalerPlotLayer *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_free (self->line);
  g_free (self->fill);
  g_clear_pointer (&self->line_boxes, g_array_unref);
  g_clear_pointer (&self->fill_boxes, g_array_unref);
  g_free (self);
}

/* The half-unit column boundary nearest to x, within [0, n_sub]. */
static inline guint
sub_column (ScalerPlotLayer *self,
            double           x)
{
  double j = CLAMP ((x - self->x) * 2, 0.0, (double) self->n_sub);

  return (guint) (j + 0.5);
}

/* Unions a box into the spans of the half-unit columns it covers. */
static void
add_span (ScalerPlotLayer *self,
          Span            *spans,
          double           x0,
          double           y0,
          double           x1,
          double           y1)
{
  guint j0 = sub_column (self, x0);
  guint j1 = sub_column (self, x1);
  double a = (y0 - self->y) * self->scale;
  double b = (y1 - self->y) * self->scale;

  if (j0 >= j1 || !(a < b))
    return;
  self->sub_lo = MIN (self->sub_lo, j0);
  self->sub_hi = MAX (self->sub_hi, j1);
  for (guint j = j0; j < j1; j++)
    {
      Span *s = &spans[j];

      if (s->a < s->b)
        {
          s->a = MIN (s->a, a);
          s->b = MAX (s->b, b);
        }
      else
        {
          s->a = a;
          s->b = b;
        }
    }
}

static void
add_box (GArray *boxes,
         double  x0,
         double  y0,
         double  x1,
         double  y1)
{
  Box box = { x0, y0, x1, y1 };

  if (x0 < x1 && y0 < y1)
    g_array_append_val (boxes, box);
}

void
scaler_plot_layer_add_line (ScalerPlotLayer *self,
                            double           x0,
                            double           y0,
                            double           x1,
                            double           y1)
{
  if (self->vector)
    add_box (self->line_boxes, x0, y0, x1, y1);
  else
    add_span (self, self->line, x0, y0, x1, y1);
}

void
scaler_plot_layer_add_fill (ScalerPlotLayer *self,
                            double           x0,
                            double           y0,
                            double           x1,
                            double           y1)
{
  if (self->vector)
    add_box (self->fill_boxes, x0, y0, x1, y1);
  else
    add_span (self, self->fill, x0, y0, x1, y1);
}

/* src OVER dst, premultiplied ARGB32. */
static inline guint32
over (guint32 src,
      guint32 dst)
{
  guint32 ia = 255 - (src >> 24);
  guint32 rb = (dst & 0x00ff00ff) * ia + 0x00800080;
  guint32 ag = ((dst >> 8) & 0x00ff00ff) * ia + 0x00800080;

  rb = ((rb + ((rb >> 8) & 0x00ff00ff)) >> 8) & 0x00ff00ff;
  ag = (ag + ((ag >> 8) & 0x00ff00ff)) & 0xff00ff00;

  return src + (rb | ag);
}

static inline double
overlap (double r,
         double a,
         double b)
{
  double lo = MAX (r, a), hi = MIN (r + 1, b);

  return hi > lo ? hi - lo : 0.0;
}

/* The half-unit columns under device column px, with their shares. */
static guint
column_parts (ScalerPlotLayer *self,
              int              px,
              Part            *parts)
{
  double u0 = px * 2 / self->scale;
  double u1 = (px + 1) * 2 / self->scale;
  guint n = 0;

  for (guint j = (guint) floor (u0); j < self->n_sub && j < u1 && n < MAX_PARTS; j++)
    {
      double share = (MIN (u1, j + 1.0) - MAX (u0, (double) j)) / (u1 - u0);

      if (share <= 0)
        continue;
      parts[n].line = self->line[j].a < self->line[j].b ? &self->line[j] : NULL;
      parts[n].fill = self->fill[j].a < self->fill[j].b ? &self->fill[j] : NULL;
      parts[n].weight = share;
      n++;
    }

  return n;
}

/* Rows of the column where the coverage may change, sorted. */
static guint
column_cuts (const Part *parts,
             guint       n_parts,
             double     *cuts)
{
  guint n = 0;

  for (guint k = 0; k < n_parts; k++)
    {
      if (parts[k].line != NULL)
        {
          cuts[n++] = parts[k].line->a;
          cuts[n++] = parts[k].line->b;
        }
      if (parts[k].fill != NULL)
        {
          cuts[n++] = parts[k].fill->a;
          cuts[n++] = parts[k].fill->b;
        }
    }
  for (guint i = 1; i < n; i++)
    {
      double v = cuts[i];
      guint k = i;

      for (; k > 0 && cuts[k - 1] > v; k--)
        cuts[k] = cuts[k - 1];
      cuts[k] = v;
    }

  return n;
}

/* Alpha (0..255) of the series over row r of the column. */
static guint
row_alpha (const Part *parts,
           guint       n_parts,
           double      r,
           double      line_alpha,
           double      fill_alpha)
{
  double line = 0.0, fill = 0.0, alpha;

  for (guint k = 0; k < n_parts; k++)
    {
      if (parts[k].line != NULL)
        line += parts[k].weight * overlap (r, parts[k].line->a, parts[k].line->b);
      if (parts[k].fill != NULL)
        fill += parts[k].weight * overlap (r, parts[k].fill->a, parts[k].fill->b);
    }
  line *= line_alpha;
  alpha = line + fill * fill_alpha * (1.0 - line);

  return (guint) CLAMP (alpha * 255.0 + 0.5, 0.0, 255.0);
}

static void
column_key (const Part *parts,
            guint       n_parts,
            ColumnKey  *key)
{
  memset (key, 0, sizeof *key);
  key->n = n_parts;
  for (guint k = 0; k < n_parts; k++)
    {
      double *v = &key->v[k * 5];

      v[0] = parts[k].weight;
      if (parts[k].line != NULL)
        {
          v[1] = parts[k].line->a;
          v[2] = parts[k].line->b;
        }
      if (parts[k].fill != NULL)
        {
          v[3] = parts[k].fill->a;
          v[4] = parts[k].fill->b;
        }
    }
}

/* Splits the rows of a column into runs of one coverage: a run ends where a
 * span ends, and a row with a span end inside it is a run of its own. */
static guint
column_runs (ScalerPlotLayer *self,
             const Part      *parts,
             guint            n_parts,
             const guint32   *lut,
             double           line_alpha,
             double           fill_alpha,
             Run             *runs)
{
  double cuts[MAX_PARTS * 4];
  guint n_cuts = column_cuts (parts, n_parts, cuts);
  guint ci = 0, n = 0;
  int r, r_end;

  if (n_cuts == 0)
    return 0;
  r = (int) MAX (0.0, floor (cuts[0]));
  r_end = (int) MIN ((double) self->ph, ceil (cuts[n_cuts - 1]));

  while (r < r_end && n < MAX_RUNS)
    {
      int run_end;

      while (ci < n_cuts && cuts[ci] <= r)
        ci++;
      if (ci == n_cuts)
        run_end = r_end;
      else if (cuts[ci] < r + 1)
        run_end = r + 1;
      else
        run_end = (int) MIN ((double) r_end, floor (cuts[ci]));

      runs[n].r0 = r;
      runs[n].r1 = run_end;
      runs[n].pixel = lut[row_alpha (parts, n_parts, r, line_alpha, fill_alpha)];
      n++;
      r = run_end;
    }

  return n;
}

/* Writes runs into device column px, over what is in the image. */
static void
write_runs (ScalerPlotLayer *self,
            int              px,
            const Run       *runs,
            guint            n_runs)
{
  gsize stride = (gsize) self->stride;   /* (locals: the pixel stores may alias self) */
  guint32 *column = self->pixels + px;
  gboolean blank = self->n_drawn == 0;   /* nothing below: no blending */

  for (guint i = 0; i < n_runs; i++)
    {
      guint32 pixel = runs[i].pixel;
      guint32 *p = column + (gsize) runs[i].r0 * stride;
      int rows = runs[i].r1 - runs[i].r0;

      if (blank || (pixel >> 24) == 255)
        {
          for (; rows >= 4; rows -= 4, p += 4 * stride)
            {
              p[0] = pixel;
              p[stride] = pixel;
              p[2 * stride] = pixel;
              p[3 * stride] = pixel;
            }
          for (; rows > 0; rows--, p += stride)
            *p = pixel;
        }
      else if (pixel != 0)
        for (; rows > 0; rows--, p += stride)
          *p = *p == 0 ? pixel : over (pixel, *p);
    }
}

/* One device column of the current series. Flat stretches (the same spans
 * as the column before) reuse its runs. */
static void
raster_column (ScalerPlotLayer *self,
               int              px,
               const guint32   *lut,
               double           line_alpha,
               double           fill_alpha)
{
  Part parts[MAX_PARTS];
  guint n_parts = column_parts (self, px, parts);
  ColumnKey key;

  column_key (parts, n_parts, &key);
  if (key.n != self->prev_key.n || memcmp (key.v, self->prev_key.v, key.n * 5 * sizeof (double)) != 0)
    {
      self->n_prev_runs = column_runs (self, parts, n_parts, lut, line_alpha, fill_alpha, self->prev_runs);
      self->prev_key = key;
    }
  write_runs (self, px, self->prev_runs, self->n_prev_runs);
}

static void
raster_series (ScalerPlotLayer *self,
               const GdkRGBA   *color,
               double           fill_alpha)
{
  guint32 lut[256];
  double alpha;
  int px0, px1;

  if (self->sub_lo >= self->sub_hi)
    return;
  if (self->surface == NULL)
    {
      self->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, self->pw, self->ph);
      cairo_surface_set_device_scale (self->surface, self->scale, self->scale);
      self->pixels = (guint32 *) (gpointer) cairo_image_surface_get_data (self->surface);
      self->stride = cairo_image_surface_get_stride (self->surface) / 4;
      cairo_surface_flush (self->surface);
    }

  /* Premultiplied colour at each alpha. */
  for (guint i = 0; i < 256; i++)
    lut[i] = (i << 24) |
             ((guint32) (CLAMP (color->red, 0.0, 1.0) * i + 0.5) << 16) |
             ((guint32) (CLAMP (color->green, 0.0, 1.0) * i + 0.5) << 8) |
             (guint32) (CLAMP (color->blue, 0.0, 1.0) * i + 0.5);

  px0 = (int) MAX (0.0, floor (self->sub_lo * self->scale / 2));
  px1 = (int) MIN ((double) self->pw, ceil (self->sub_hi * self->scale / 2));
  alpha = CLAMP (color->alpha, 0.0, 1.0);
  self->prev_key.n = G_MAXUINT;   /* no column before the first one */
  for (int px = px0; px < px1; px++)
    raster_column (self, px, lut, alpha, alpha * CLAMP (fill_alpha, 0.0, 1.0));

  memset (self->line + self->sub_lo, 0, (self->sub_hi - self->sub_lo) * sizeof (Span));
  memset (self->fill + self->sub_lo, 0, (self->sub_hi - self->sub_lo) * sizeof (Span));
  self->sub_lo = self->n_sub;
  self->sub_hi = 0;
  self->n_drawn++;
}

static void
fill_boxes (cairo_t *cr,
            GArray  *boxes)
{
  for (guint i = 0; i < boxes->len; i++)
    {
      const Box *b = &g_array_index (boxes, Box, i);

      cairo_rectangle (cr, b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0);
    }
  cairo_fill (cr);
}

static void
vector_series (ScalerPlotLayer *self,
               const GdkRGBA   *color,
               double           fill_alpha)
{
  cairo_t *cr = self->cr;

  cairo_save (cr);
  cairo_new_path (cr);
  cairo_rectangle (cr, self->x, self->y, self->width, self->height);
  cairo_clip (cr);
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * fill_alpha);
  fill_boxes (cr, self->fill_boxes);
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha);
  fill_boxes (cr, self->line_boxes);
  cairo_restore (cr);

  g_array_set_size (self->line_boxes, 0);
  g_array_set_size (self->fill_boxes, 0);
}

void
scaler_plot_layer_end_series (ScalerPlotLayer *self,
                              const GdkRGBA   *color,
                              double           fill_alpha)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (color != NULL);

  if (self->vector)
    vector_series (self, color, fill_alpha);
  else
    raster_series (self, color, fill_alpha);
}

void
scaler_plot_layer_paint (ScalerPlotLayer *self)
{
  g_return_if_fail (self != NULL);

  if (self->surface == NULL)
    return;

  cairo_surface_mark_dirty (self->surface);
  cairo_save (self->cr);
  cairo_set_source_surface (self->cr, self->surface, self->x, self->y);
  cairo_paint (self->cr);
  cairo_restore (self->cr);
}
