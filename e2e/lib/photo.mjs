// Test photos: JPEGs made here with npm's `jpeg-js` (pure JavaScript encoder) carrying the
// EXIF a phone camera writes — an orientation tag and the camera's own GPS position — put
// in with npm's `piexifjs`, and read back with an independent EXIF reader (npm `exifr`).
import jpeg from 'jpeg-js';
import piexif from 'piexifjs';
import exifr from 'exifr';

/** The GPS position written into test photos (the camera's, never to be kept). */
export const CAMERA_GPS = { latitude: 27.9, longitude: 102.25 };

/** A `width`×`height` JPEG of a house-like scene (gradients and noise, so it is about as
 *  hard to compress as a photo), with EXIF `Orientation` and the camera's GPS position. */
export function testJpeg({ width = 3000, height = 2000, orientation = 1, seed = 1 } = {}) {
  const data = Buffer.alloc(width * height * 4);
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) >>> 24);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const wall = y > height * 0.3 && x > width * 0.2 && x < width * 0.8;
      data[i] = (wall ? 180 : (x * 255) / width) + (rnd() & 15);
      data[i + 1] = (wall ? 150 : (y * 255) / height) + (rnd() & 15);
      data[i + 2] = (wall ? 120 : 200) + (rnd() & 15);
      data[i + 3] = 255;
    }
  }
  const plain = jpeg.encode({ data, width, height }, 90).data;
  const deg = (v) => piexif.GPSHelper.degToDmsRational(v);
  const exif = piexif.dump({
    '0th': { [piexif.ImageIFD.Make]: 'TestCam', [piexif.ImageIFD.Orientation]: orientation },
    Exif: { [piexif.ExifIFD.DateTimeOriginal]: '2026:11:30 10:00:00' },
    GPS: {
      [piexif.GPSIFD.GPSLatitudeRef]: 'N', [piexif.GPSIFD.GPSLatitude]: deg(CAMERA_GPS.latitude),
      [piexif.GPSIFD.GPSLongitudeRef]: 'E', [piexif.GPSIFD.GPSLongitude]: deg(CAMERA_GPS.longitude),
    },
  });
  return Buffer.from(piexif.insert(exif, plain.toString('binary')), 'binary');
}

/** Everything `exifr` finds in a JPEG (GPS included), or `undefined` when it has no EXIF. */
export async function exifOf(bytes) {
  return exifr.parse(bytes, { gps: true, tiff: true, exif: true, mergeOutput: true });
}

/** Width and height of a JPEG, decoded by `jpeg-js`. */
export function jpegSize(bytes) {
  const { width, height } = jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 1024 });
  return [width, height];
}
