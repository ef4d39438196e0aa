#!/usr/bin/env bash
# Regenerates the illustrative sample videos in subtitles/media/ with ffmpeg.
# The demo does not need ffmpeg: the generated files are committed. They show
# a title card, the words "illustrative sample" and the running time, so that
# a viewer can check that subtitles and seeking land on the right second.
set -euo pipefail
cd "$(dirname "$0")/../subtitles/media"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf

make_one() { # id seconds title line2
	local id=$1 secs=$2 title=$3 line2=$4
	local dt="drawtext=fontfile=$font:fontcolor=white"
	ffmpeg -hide_banner -loglevel error -y \
		-f lavfi -i "color=c=0x1d3557:s=480x270:r=5:d=$secs" \
		-f lavfi -i "sine=frequency=220:sample_rate=48000:duration=$secs" \
		-vf "$dt:fontsize=17:x=(w-tw)/2:y=60:text='$title',\
$dt:fontsize=13:x=(w-tw)/2:y=100:text='$line2',\
$dt:fontsize=12:fontcolor=0xf1c40f:x=(w-tw)/2:y=140:text='Illustrative sample — not a recording of the event',\
$dt:fontsize=44:x=(w-tw)/2:y=180:text='%{eif\:floor(t/60)\:d\:2} min %{eif\:mod(floor(t)\,60)\:d\:2} s'" \
		-af "volume=0.02" \
		-c:v libvpx-vp9 -b:v 16k -g 50 -deadline good -cpu-used 4 -row-mt 1 \
		-c:a libopus -b:a 6k -ac 1 \
		"$id.webm"
}

make_one hrc47-side-event 480 'HRC47 side event on trafficking in human beings' 'Geneva and online · EN / FR / ES / DE'
make_one istac-launch 360 'Launch of ISTAC · OSCE/ODIHR' 'International Survivors of Trafficking Advisory Council'
ls -l
